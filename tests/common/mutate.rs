//! Shared by the quick YAML reader tests: edits of a document that touch what the
//! quick reader decides on.
#![allow(dead_code)]

/// Edits that touch what the quick reader decides on: indentation, indicators,
/// quotes, comments, line breaks.
pub fn mutate(doc: &str, at: usize, edit: u8, text: &str) -> String {
    let mut cut = at.min(doc.len());
    while !doc.is_char_boundary(cut) {
        cut -= 1;
    }
    let (a, b) = doc.split_at(cut);
    match edit % 4 {
        0 => format!("{a}{text}{b}"),
        1 => {
            let mut rest = b.chars();
            rest.next();
            format!("{a}{}", rest.as_str())
        }
        2 => {
            // Re-indent the line the cut falls in.
            let start = a.rfind('\n').map_or(0, |i| i + 1);
            format!("{}{text}{}", &doc[..start], &doc[start..])
        }
        _ => {
            // Duplicate the line.
            let start = a.rfind('\n').map_or(0, |i| i + 1);
            let end = b.find('\n').map_or(doc.len(), |i| cut + i);
            format!("{}\n{}", &doc[..end], &doc[start..])
        }
    }
}

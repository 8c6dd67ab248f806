//! Filling a dialect's templates: `{name}` holes replaced in one pass, so text put in a
//! hole (a literal, an identifier made from a user's key) is never read as a hole again.

/// `template` with each `{name}` of `values` replaced; other braces are kept as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = values.iter().find(|(hole, _)| *hole == name)?.1;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn holes_are_filled_once() {
        let filled = fill("f({x}, {re}) <> '{}'", &[("x", "\"{re}\""), ("re", "'a'")]);
        assert_eq!(filled, "f(\"{re}\", 'a') <> '{}'");
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }
}

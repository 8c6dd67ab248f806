//! YAML values for the Sentinel rule template, written by `serde_yaml` so that quoting,
//! escapes and block scalars follow YAML exactly; templates call [`scalar`] as the
//! `yaml_scalar` filter.

/// `value` as a YAML scalar in a mapping whose keys start at column `indent`: plain when
/// that is safe, quoted when needed, a literal block (`|-`) for multi-line text, with its
/// lines indented past the key.
pub fn scalar(value: &str, indent: Option<usize>) -> String {
    let written =
        serde_yaml::to_string(value).unwrap_or_else(|_| crate::backend::escape::quoted(value));
    let written = written.strip_suffix('\n').unwrap_or(&written);
    let pad = " ".repeat(indent.unwrap_or(0));
    written
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            if i == 0 || line.is_empty() {
                line.to_string()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn scalars_read_back_at_any_depth(value in any::<String>(), depth in 0usize..3) {
            let indent = depth * 2;
            let pad = " ".repeat(indent);
            let mut document = String::new();
            for level in 0..depth {
                document.push_str(&format!("{}k{level}:\n", " ".repeat(level * 2)));
            }
            let written = scalar(&value, Some(indent));
            document.push_str(&format!("{pad}value: {written}\n{pad}next: 1\n"));
            let mut parsed: serde_yaml::Value = serde_yaml::from_str(&document)
                .map_err(|error| TestCaseError::fail(format!("{error}\n{document}")))?;
            for level in 0..depth {
                parsed = parsed[format!("k{level}").as_str()].clone();
            }
            prop_assert_eq!(parsed["value"].as_str(), Some(value.as_str()), "{}", document);
            prop_assert_eq!(parsed["next"].as_i64(), Some(1));
        }
    }

    #[test]
    fn plain_when_safe_quoted_when_not() {
        assert_eq!(scalar("userPrincipalName", None), "userPrincipalName");
        assert_eq!(scalar("true", None), "'true'");
        assert_eq!(scalar("a\nb", Some(2)), "|-\n    a\n    b");
    }
}

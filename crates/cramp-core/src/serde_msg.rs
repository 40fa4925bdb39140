//! A serde error in words for the caller who sent the JSON: the element's path first, what was
//! expected and what came, without serde's internal names ("struct Entry") or positions inside a
//! value the caller did not send on its own. Shared by every reader of JSON input (the case, FHIR
//! resources and Bundles, CDS Hooks requests), so that each names the element the same way.

/// Words between backticks in a serde message: the names it lists.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// A serde message without its " at line …, column …".
pub fn without_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// The path of an element inside a value found at `at`: `at` itself for serde_path_to_error's
/// root (`.` or empty), `at[0].resource` for `[0].resource`, `at.entry` for `entry`.
pub fn join_path(at: &str, sub: &str) -> String {
    match sub {
        "" | "." => at.to_string(),
        s if s.starts_with('[') => format!("{at}{s}"),
        s if at.is_empty() => s.to_string(),
        s => format!("{at}.{s}"),
    }
}

/// What serde found, in words ("an object" for `map`, "a list" for `sequence`).
fn found(got: &str) -> String {
    match got {
        "map" => "an object".to_string(),
        "sequence" => "a list".to_string(),
        "unit value" | "null" => "null".to_string(),
        g => g.to_string(),
    }
}

/// The element at `path` and serde's message about it (`inner`, without position), as one
/// sentence: "`patient.age`: expected a number, got a list".
pub fn describe(path: &str, inner: &str) -> String {
    if let Some(rest) = inner.strip_prefix("unknown field ") {
        let names = backticked(rest);
        let (field, expected) = names
            .split_first()
            .map(|(f, e)| (*f, e.to_vec()))
            .unwrap_or(("?", Vec::new()));
        let parent = path.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default();
        let full = if path.ends_with(field) {
            path.to_string()
        } else if parent.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        let nearest = expected
            .iter()
            .map(|e| (strsim::damerau_levenshtein(field, e), *e))
            .min()
            .filter(|(d, _)| *d <= 3.max(field.len() / 3));
        return match nearest {
            Some((_, name)) => format!(
                "`{full}`: unknown field; did you mean `{name}`? (allowed here: {})",
                expected.join(", ")
            ),
            None => format!("`{full}`: unknown field; allowed here: {}", expected.join(", ")),
        };
    }
    if let Some(rest) = inner.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        if let Some((value, allowed)) = names.split_first() {
            return format!("`{path}`: {value:?} is not allowed; use one of: {}", allowed.join(", "));
        }
    }
    if let Some(rest) = inner.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        let expected = match expected {
            e if e.starts_with("f64") || e.starts_with("u32") || e.starts_with("i64") => "a number".to_string(),
            e if e.starts_with("a boolean") => "true or false".to_string(),
            e if e.starts_with("a string") || e.starts_with("a borrowed string") => "a string".to_string(),
            e if e.starts_with("a sequence") => "a list".to_string(),
            e if e.starts_with("struct") || e.starts_with("a map") => "an object".to_string(),
            e => e.to_string(),
        };
        return format!("`{path}`: expected {expected}, got {}", found(got));
    }
    format!("`{path}`: {inner}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_serde_names_become_words() {
        assert_eq!(join_path("prefetch.conditions", "."), "prefetch.conditions");
        assert_eq!(
            join_path("prefetch.conditions", "[0].resource"),
            "prefetch.conditions[0].resource"
        );
        assert_eq!(join_path("prefetch.conditions", "entry"), "prefetch.conditions.entry");
        assert_eq!(join_path("", "hookInstance"), "hookInstance");
        assert_eq!(
            describe(
                "prefetch.platelets.entry[0]",
                "invalid type: string \"-1\", expected struct Entry"
            ),
            "`prefetch.platelets.entry[0]`: expected an object, got string \"-1\""
        );
        assert_eq!(
            describe("context.userId", "invalid type: map, expected a borrowed string"),
            "`context.userId`: expected a string, got an object"
        );
        assert_eq!(
            describe("patient.age", "invalid type: sequence, expected f64"),
            "`patient.age`: expected a number, got a list"
        );
        assert_eq!(
            without_position("invalid type: map at line 1 column 5"),
            "invalid type: map"
        );
    }
}

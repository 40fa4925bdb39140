//! Filling `{key}` placeholders of the knowledge base's wording: one implementation for every
//! crate (the output, the CDS cards, the n-of-1 trial's reasons).

/// Replaces `{key}` placeholders; braces around anything that is not one of `vars` stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + vars.iter().map(|(_, v)| v.len()).sum::<usize>());
    let bytes = template.as_bytes();
    let mut copied = 0;
    // memchr finds each `{` (most templates are short, with a few placeholders; some are
    // paragraphs): about ten times faster on them than core's `str::find` (callgrind, BENCHMARKS.md).
    for open in memchr::memchr_iter(b'{', bytes) {
        if open < copied {
            continue; // inside a value already put in place of a placeholder
        }
        // A key is a short identifier: look for its closing brace only that far.
        let key_from = open + 1;
        let window = &bytes[key_from..bytes.len().min(key_from + 32)];
        let Some(len) = window.iter().position(|&b| b == b'}') else {
            continue;
        };
        let key = &window[..len];
        if let Some((_, value)) = vars.iter().find(|(k, _)| k.as_bytes() == key) {
            out.push_str(&template[copied..open]);
            out.push_str(value);
            copied = key_from + len + 1;
        }
    }
    out.push_str(&template[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;
    use proptest::prelude::*;

    /// The reference: the plain reading of the rule, one `{` at a time.
    fn reference(template: &str, vars: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.bytes().take(32).position(|b| b == b'}');
            match close.and_then(|c| vars.iter().find(|(k, _)| *k == &after[..c]).map(|(_, v)| (c, v))) {
                Some((c, v)) => {
                    out.push_str(v);
                    rest = &after[c + 1..];
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

    #[test]
    fn fills_known_keys_and_keeps_other_braces() {
        let vars = [("drug", "baclofen"), ("tier", "B"), ("empty", "")];
        for (t, want) in [
            ("", ""),
            ("no placeholder", "no placeholder"),
            ("{drug}", "baclofen"),
            ("take {drug} ({tier})", "take baclofen (B)"),
            ("{unknown} and {drug}", "{unknown} and baclofen"),
            ("{{drug}}", "{baclofen}"),
            ("{drug", "{drug"),
            ("{}{empty}.", "{}."),
            ("ü {drug} — {tier}", "ü baclofen — B"),
        ] {
            assert_eq!(fill(t, &vars), want, "{t:?}");
            assert_eq!(reference(t, &vars), want, "{t:?}");
        }
    }

    #[test]
    fn a_value_with_braces_is_not_filled_again() {
        assert_eq!(fill("{a} {b}", &[("a", "{b}"), ("b", "x")]), "{b} x");
    }

    proptest! {
        #[test]
        fn fills_like_the_reference(t in "([a-z{} ]|\\{(a|bb|ccc)\\}|é){0,60}", a in "[a-z{}]{0,5}", b in "\\PC{0,5}") {
            let vars = [("a", a.as_str()), ("bb", b.as_str()), ("ccc", "")];
            prop_assert_eq!(fill(&t, &vars), reference(&t, &vars));
        }
    }
}

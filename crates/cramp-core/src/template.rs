//! Filling `{key}` placeholders of the knowledge base's wording: one implementation for every
//! crate (the output, the CDS cards, the n-of-1 trial's reasons).

/// Replaces `{key}` placeholders; braces around anything that is not one of `vars` stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let bytes = template.as_bytes();
    let mut out = String::with_capacity(template.len() + vars.iter().map(|(_, v)| v.len()).sum::<usize>());
    let (mut copied, mut from) = (0, 0);
    // `str::find` with a char searches with memchr: templates are long and have few placeholders.
    while let Some(off) = template[from..].find('{') {
        let open = from + off;
        from = open + 1;
        // A key is a short identifier: look for its closing brace only that far.
        let key_end = bytes[from..].iter().take(32).position(|&b| b == b'}').map(|n| from + n);
        // Compare lengths first: most keys differ in length, and then no byte comparison is made.
        let value = key_end.and_then(|end| {
            let key = &bytes[from..end];
            vars.iter().find(|(k, _)| k.len() == key.len() && k.as_bytes() == key)
        });
        if let (Some(end), Some((_, value))) = (key_end, value) {
            out.push_str(&template[copied..open]);
            out.push_str(value);
            copied = end + 1;
            from = end + 1;
        }
    }
    out.push_str(&template[copied..]);
    out
}

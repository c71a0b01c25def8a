//! Property tests: any bytes, any valid key names, every scope, 1-3 recipients round-trip through
//! seal/open, both at the value level and through a whole manifest.

use kseal::crypto::{Binding, Identity, Recipient, Scope, SealedValue};
use kseal::manifest::{open::open, seal::seal};
use kseal::policy::Policy;
use kseal::Location;
use proptest::prelude::*;

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![Just(Scope::Strict), Just(Scope::Namespace), Just(Scope::Cluster)]
}

fn key_name() -> impl Strategy<Value = String> {
    "[-._a-zA-Z0-9]{1,40}".prop_filter("not . or ..", |k| k != "." && k != "..")
}

fn dns_label() -> impl Strategy<Value = String> {
    "[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?"
}

fn identities() -> Vec<Identity> {
    (0..3).map(|_| Identity::generate()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Splicing: a stanza of one value put into another value with the same recipients. The spliced
    /// value must be refused by every opener (v1 opened it to different plaintexts for different
    /// keys); the untouched values still open.
    #[test]
    fn spliced_stanzas_never_open(
        a_val in proptest::collection::vec(any::<u8>(), 0..64),
        b_val in proptest::collection::vec(any::<u8>(), 0..64),
        scope in scope(), n in 2usize..=3, which in 0usize..3,
    ) {
        let ids = identities();
        let rs: Vec<Recipient> = ids[..n].iter().map(|i| i.recipient().clone()).collect();
        let b = Binding { namespace: "ns", name: "db", key: "k" };
        let one = kseal::crypto::sealed::seal(&a_val, &rs, scope, &b).unwrap();
        let two = kseal::crypto::sealed::seal(&b_val, &rs, scope, &b).unwrap();
        let (mut f1, f2): (Vec<&str>, Vec<&str>) = (one.split(':').collect(), two.split(':').collect());
        let stanza = 5 + 2 * (which % n);
        f1[stanza] = f2[stanza];
        let spliced = SealedValue::parse(&f1.join(":")).unwrap();
        for id in &ids[..n] {
            prop_assert!(spliced.open(std::slice::from_ref(id), &b).is_err());
        }
        prop_assert!(spliced.open(&ids, &b).is_err());
    }

    #[test]
    fn values_round_trip(
        value in proptest::collection::vec(any::<u8>(), 0..300),
        ns in dns_label(), name in dns_label(), key in key_name(),
        scope in scope(), n in 1usize..=3,
    ) {
        let ids = identities();
        let rs: Vec<Recipient> = ids[..n].iter().map(|i| i.recipient().clone()).collect();
        let b = Binding { namespace: &ns, name: &name, key: &key };
        let sealed = kseal::crypto::sealed::seal(&value, &rs, scope, &b).unwrap();
        let parsed = SealedValue::parse(&sealed).unwrap();
        prop_assert_eq!(parsed.stanzas.len(), n);
        prop_assert_eq!(SealedValue::parse_data(&parsed.encode_data()).unwrap(), parsed.clone());
        for id in &ids[..n] {
            let opened = parsed.open(std::slice::from_ref(id), &b).unwrap();
            prop_assert_eq!(opened.as_slice(), value.as_slice());
        }
        // Ciphertext length reveals only the 32-byte bucket.
        prop_assert_eq!(parsed.body.len(), (value.len() / 32 + 1) * 32 + 16);
        prop_assert!(parsed.open(&ids[n..], &b).is_err() || n == 3);
    }

    #[test]
    fn manifests_round_trip(
        entries in proptest::collection::btree_map(key_name(), (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..64), "\\PC{0,40}"), 1..6),
        ns in dns_label(), name in dns_label(), scope in scope(), n in 1usize..=3,
    ) {
        // A text like `${x}` is a template expression, left for render time on purpose (tests in
        // `tests/cli.rs`, helm_templates_are_never_sealed...); this property is about values that are sealed.
        prop_assume!(entries.values().all(|(is_data, _, text)| *is_data || !kseal::manifest::secret::is_template(text)));
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut data = String::new();
        let mut string_data = String::new();
        for (k, (is_data, bytes, text)) in &entries {
            if *is_data {
                // An empty plain scalar would be null, which Kubernetes does not accept as a value.
                // Quoted: base64 text such as `1234` or `1e10` is a number to YAML, which kseal
                // refuses in a Secret (the API server would); that has its own tests.
                let v = format!("\"{}\"", b64.encode(bytes));
                // Quoted, as the stringData keys: an unquoted key kubectl's YAML 1.1 reads as
                // another (`-0` as `0`, `on` as `true`) is refused, and has its own tests.
                data.push_str(&format!("  \"{k}\": {v}\n"));
            } else {
                string_data.push_str(&format!("  \"{k}\": {}\n", serde_json::to_string(text).unwrap()));
            }
        }
        let src = format!(
            "# generated\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata:\n{data}stringData:\n{string_data}"
        ).replace("data:\nstringData:", "data: {}\nstringData:");
        let src = if string_data.is_empty() { src + " {}\n" } else { src };
        let ids = identities();
        let policy = Policy {
            recipients: ids[..n].iter().map(|i| i.recipient().clone()).collect(),
            scope,
            namespace: None,
        };
        let file = Location::file("gen.yaml");
        let sealed = seal(&src, &file, &policy).unwrap();
        prop_assert_eq!(sealed.sealed, entries.len());
        for (is_data, bytes, text) in entries.values() {
            // Short needles (a 1-byte value is 4 base64 characters) turn up inside random
            // ciphertext by chance; 8 bytes or more cannot.
            if *is_data && bytes.len() >= 8 {
                prop_assert!(!sealed.text.contains(&b64.encode(bytes)));
            }
            if !*is_data && text.len() >= 8 {
                prop_assert!(!sealed.text.contains(text.as_str()));
            }
        }
        let opened = open(&sealed.text, &file, &ids[n - 1..n], None).unwrap();
        prop_assert_eq!(opened.opened, entries.len());
        let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple(&opened.text).unwrap();
        for (k, (is_data, bytes, text)) in &entries {
            if *is_data {
                prop_assert_eq!(docs[0]["data"][k].as_str().unwrap(), b64.encode(bytes));
            } else {
                prop_assert_eq!(docs[0]["stringData"][k].as_str().unwrap(), text.as_str());
            }
        }
    }
}

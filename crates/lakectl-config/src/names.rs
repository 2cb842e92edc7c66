//! Physical names derived from stack, env and address when the stack file gives none.

use lakectl_core::Address;

/// `{stack}-{env}-{address}`, lower-cased, `_` → `-`, `[key]` → `-key`, a construct member's
/// `.` → `-` (`tenant[acme].bucket` → `tenant-acme-bucket`); when longer than
/// `max_len`, cut and ended with 8 hex characters of a hash of the full name, so that two long
/// addresses sharing a prefix still get different names.
pub(crate) fn derive(stack: &str, env: &str, address: &Address, max_len: usize) -> String {
    let name = address.name();
    let addr = match (address.key(), name.split_once('.')) {
        (Some(k), Some((group, member))) => format!("{group}-{k}-{member}"),
        (Some(k), None) => format!("{name}-{k}"),
        (None, _) => name.replace('.', "-"),
    };
    let full = format!("{stack}-{env}-{addr}")
        .to_lowercase()
        .replace('_', "-");
    if full.chars().count() <= max_len {
        return full;
    }
    let hash = format!("{:08x}", fnv1a(full.as_bytes()) as u32);
    let keep = max_len.saturating_sub(hash.len() + 1);
    let head: String = full.chars().take(keep).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

/// FNV-1a: the hash must stay the same across Rust versions and machines, or every derived
/// name would change (and resources be replaced) after a toolchain upgrade.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_stable_and_fit() {
        let a = |s: &str| Address::parse(s).expect("address");
        let cases = [
            (
                "plain address",
                "lake",
                "dev",
                a("config_table"),
                63,
                "lake-dev-config-table".to_string(),
            ),
            (
                "instance key becomes a suffix",
                "lake",
                "dev",
                a("bucket[Acme_EU]"),
                63,
                "lake-dev-bucket-acme-eu".to_string(),
            ),
            (
                "a construct member keeps the instance key after the use",
                "lake",
                "dev",
                a("tenant[acme].bucket"),
                63,
                "lake-dev-tenant-acme-bucket".to_string(),
            ),
            (
                "exactly the limit is kept",
                "lake",
                "dev",
                a("abc"),
                12,
                "lake-dev-abc".to_string(),
            ),
            (
                "too long is cut and hashed",
                "lake",
                "dev",
                a("a_very_long_resource_name"),
                20,
                format!(
                    "lake-dev-a-{:08x}",
                    fnv1a(b"lake-dev-a-very-long-resource-name") as u32
                ),
            ),
        ];
        for (why, stack, env, addr, max, want) in cases {
            let got = derive(stack, env, &addr, max);
            assert_eq!(got, want, "{why}");
            assert!(got.len() <= max, "{why}: {got} is longer than {max}");
        }
    }

    #[test]
    fn long_names_sharing_a_prefix_differ() {
        let a = Address::parse("customer_bucket_one").expect("address");
        let b = Address::parse("customer_bucket_two").expect("address");
        assert_ne!(derive("lake", "dev", &a, 16), derive("lake", "dev", &b, 16));
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // Published FNV-1a 64 test vectors: a change here renames every long resource.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}

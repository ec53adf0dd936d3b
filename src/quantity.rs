//! Kubernetes quantities (`500m`, `1.5`, `256Mi`, `1e3`), read one way for the whole
//! pipeline: the typed input is validated with it, the resolver compares a request with its
//! limit, the operations sheet sums them, and the gates judge the manifests. Three hand-written
//! readers once disagreed (`512M` was 488 MiB in one and not a quantity in another).
//!
//! The grammar is the API server's (`resource.Quantity`):
//!
//! ```text
//! quantity ::= sign? number suffix
//! number   ::= digits | digits "." digits? | "." digits
//! suffix   ::= "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"
//!            | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
//!            | ("e" | "E") sign? digits
//! ```

/// The value of a quantity in base units (cores for CPU, bytes for memory): `500m` → 0.5,
/// `128Mi` → 134217728, `1e3` → 1000. `None` when it is not a quantity. A sign is part of the
/// grammar, so `-1` is `Some(-1.0)`: whoever reads a resource refuses it.
pub fn parse(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let number_len = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(number_len);
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 || number.matches('.').count() > 1 {
        return None;
    }
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp => {
            let power = exp.strip_prefix(['e', 'E'])?;
            let unsigned = power.strip_prefix(['+', '-']).unwrap_or(power);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            10f64.powi(power.parse::<i32>().ok()?)
        }
    };
    let value: f64 = number.parse().ok()?;
    let signed = if s.starts_with('-') { -value } else { value };
    Some(signed * scale).filter(|v| v.is_finite())
}

/// CPU in millicores, rounded up: `500m` → 500, `1.5` → 1500; 0 when not a quantity.
pub fn millicores(q: &str) -> u64 {
    parse(q).map_or(0, |cores| (cores * 1000.0).max(0.0).ceil() as u64)
}

/// Memory in MiB, rounded up: `128Mi` → 128, `1Gi` → 1024, `512M` → 489; 0 when not a
/// quantity.
pub fn mebibytes(q: &str) -> u64 {
    parse(q).map_or(0, |bytes| (bytes / 1_048_576.0).max(0.0).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_the_api_server_accepts() {
        for (q, v) in [
            ("500m", 0.5),
            ("1", 1.0),
            ("1.5", 1.5),
            (".5", 0.5),
            ("2.", 2.0),
            ("+2", 2.0),
            ("-1", -1.0),
            ("128Mi", 128.0 * 1_048_576.0),
            ("1Gi", 1_073_741_824.0),
            ("1G", 1e9),
            ("512M", 512e6),
            ("100k", 1e5),
            ("250u", 250e-6),
            ("1e3", 1000.0),
            ("12E-1", 1.2),
            ("2E", 2e18),
        ] {
            let got = parse(q).unwrap_or_else(|| panic!("{q} is a quantity"));
            assert!((got - v).abs() <= v.abs() * 1e-12, "{q}: {got} != {v}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_accept() {
        for q in [
            "", "m", "lots", "1.2.3", "1mb", "1 Gi", "1gi", "1e", "1e+", "0x10", "Mi", "1Mi5", "--1",
        ] {
            assert_eq!(parse(q), None, "{q}");
        }
    }

    #[test]
    fn millicores_and_mebibytes_round_up() {
        assert_eq!(millicores("500m"), 500);
        assert_eq!(millicores("1.5"), 1500);
        assert_eq!(millicores("0.0001"), 1);
        assert_eq!(mebibytes("1Gi"), 1024);
        assert_eq!(mebibytes("128Mi"), 128);
        assert_eq!(mebibytes("512M"), 489);
        assert_eq!(millicores("lots"), 0);
    }
}

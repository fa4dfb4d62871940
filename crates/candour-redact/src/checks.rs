//! Validators for structured identifiers: Modulus 11, calendar dates, NINO prefixes.

/// True when `digits` is ten ASCII digits that pass the NHS Modulus 11 check.
///
/// The same check covers NHS (England, Wales, Isle of Man), CHI (Scotland) and
/// H&C (Northern Ireland) numbers: Σ digit × weight, weights 10..=1, is 0 mod 11.
/// This is equivalent to the published "11 − (sum mod 11)" check-digit rule,
/// including the rule that a computed check digit of 10 makes the number invalid.
pub fn mod11_valid(digits: &[u8]) -> bool {
    if digits.len() != 10 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .zip((1..=10u32).rev())
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    sum.is_multiple_of(11)
}

/// True when the string's ASCII digits (ignoring spaces and hyphens) form a Mod-11-valid 10-digit number.
pub fn nhs_number_valid(s: &str) -> bool {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    let only_separators = s.bytes().all(|b| b.is_ascii_digit() || b == b' ' || b == b'-');
    only_separators && mod11_valid(&digits)
}

/// Days in `month` (1-12) of `year`, or 0 for an invalid month.
pub fn days_in_month(month: u32, year: i32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// True when day/month/year is a real calendar date (years 1850-2099).
pub fn valid_date(day: u32, month: u32, year: i32) -> bool {
    (1850..=2099).contains(&year) && day >= 1 && day <= days_in_month(month, year)
}

/// Expands a two-digit year the way UK clinical text uses it: 00-29 → 2000s, 30-99 → 1900s.
pub fn expand_year(yy: u32) -> i32 {
    // Two-digit years in incident reports are either recent (incident dates)
    // or birth years; 30 is a pragmatic pivot that keeps both readable.
    if yy < 30 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

/// True when the first six digits are a valid DDMMYY date (the CHI date-of-birth prefix).
pub fn valid_ddmmyy(digits: &[u8]) -> bool {
    if digits.len() < 6 || !digits[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let two = |i: usize| u32::from(digits[i] - b'0') * 10 + u32::from(digits[i + 1] - b'0');
    let (d, m, y) = (two(0), two(2), two(4));
    // Any century is possible for a CHI, so accept 29 February for yy divisible by 4.
    let year = if y % 4 == 0 { 2000 } else { 2001 };
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(m, year)
}

/// True when a NINO's two-letter prefix is allowed (doc §1.3; temporary "TN" numbers are kept).
pub fn nino_prefix_ok(prefix: &str) -> bool {
    let p = prefix.to_ascii_uppercase();
    let b = p.as_bytes();
    if b.len() != 2 {
        return false;
    }
    let first_ok = !matches!(b[0], b'D' | b'F' | b'I' | b'Q' | b'U' | b'V');
    let second_ok = !matches!(b[1], b'D' | b'F' | b'I' | b'O' | b'Q' | b'U' | b'V');
    let excluded = matches!(p.as_str(), "BG" | "GB" | "KN" | "NK" | "NT" | "ZZ");
    first_ok && second_ok && !excluded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod11_worked_example_and_neighbours() {
        assert!(mod11_valid(b"9434765919"));
        assert!(nhs_number_valid("943 476 5919"));
        assert!(nhs_number_valid("943-476-5919"));
        for bad in ["9434765918", "9434765910", "943476591", "94347659199"] {
            assert!(!nhs_number_valid(bad), "{bad}");
        }
    }

    #[test]
    fn mod11_check_digit_ten_is_invalid() {
        // For every 9-digit prefix exactly one final digit is valid, unless the
        // computed check digit is 10, in which case none is.
        let prefix = b"999000000";
        let valid: Vec<u8> = (b'0'..=b'9')
            .filter(|d| {
                let mut n = prefix.to_vec();
                n.push(*d);
                mod11_valid(&n)
            })
            .collect();
        let sum: u32 = prefix
            .iter()
            .zip((2..=10u32).rev())
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let check = 11 - sum % 11;
        match check {
            10 => assert!(valid.is_empty()),
            11 => assert_eq!(valid, vec![b'0']),
            c => assert_eq!(valid, vec![b'0' + c as u8]),
        }
    }

    #[test]
    fn mod11_999_range() {
        // Count valid numbers in a slice of the never-issued 999 range: about 1 in 11.
        let mut valid = 0;
        for n in 0..11_000u64 {
            let s = format!("999{:07}", n * 97);
            if mod11_valid(s.as_bytes()) {
                valid += 1;
            }
        }
        assert!((800..=1200).contains(&valid), "{valid}");
    }

    #[test]
    fn dates() {
        assert!(valid_date(29, 2, 2024));
        assert!(!valid_date(29, 2, 2023));
        assert!(!valid_date(31, 4, 2020));
        assert!(valid_ddmmyy(b"120354"));
        assert!(!valid_ddmmyy(b"320354"));
        assert!(!valid_ddmmyy(b"121354"));
        assert_eq!(expand_year(54), 1954);
        assert_eq!(expand_year(24), 2024);
    }

    #[test]
    fn nino_prefixes() {
        for ok in ["AB", "TN", "JG", "ce"] {
            assert!(nino_prefix_ok(ok), "{ok}");
        }
        for bad in ["DA", "AD", "GB", "BG", "NK", "KN", "NT", "ZZ", "AO", "QA"] {
            assert!(!nino_prefix_ok(bad), "{bad}");
        }
    }
}

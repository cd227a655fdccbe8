//! Shamir secret sharing over GF(2^8) (AES polynomial x^8+x^4+x^3+x+1), as sops'
//! `shamir` package (from HashiCorp Vault): a share is the y-bytes followed by one x byte;
//! combining is Lagrange interpolation at x = 0.

use zeroize::Zeroizing;

fn mul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    for _ in 0..8 {
        // branch-free: mask is 0xff when the low bit of b is set
        r ^= a & (b & 1).wrapping_neg();
        let hi = (a >> 7).wrapping_neg();
        a = (a << 1) ^ (0x1b & hi);
        b >>= 1;
    }
    r
}

fn inv(a: u8) -> u8 {
    // a^254 = a^-1 for a != 0
    let mut r = 1u8;
    let mut base = a;
    let mut e = 254u8;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    r
}

/// Recombines shares. Errors (no secrets in them) for fewer than two shares, unequal
/// lengths or duplicate x coordinates.
pub(crate) fn combine(parts: &[Zeroizing<Vec<u8>>]) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    if parts.len() < 2 {
        return Err("less than two parts cannot be used to reconstruct the secret");
    }
    let len = parts[0].len();
    if len < 2 || parts.iter().any(|p| p.len() != len) {
        return Err("all parts must be the same length and at least two bytes");
    }
    let xs: Vec<u8> = parts.iter().map(|p| p[len - 1]).collect();
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            return Err("duplicate part detected");
        }
    }
    let mut secret = Zeroizing::new(vec![0u8; len - 1]);
    // Lagrange basis at 0: prod_{j != i} x_j / (x_i ^ x_j)
    let basis: Vec<u8> = (0..xs.len())
        .map(|i| {
            (0..xs.len())
                .filter(|&j| j != i)
                .fold(1u8, |acc, j| mul(acc, mul(xs[j], inv(xs[i] ^ xs[j]))))
        })
        .collect();
    for (k, out) in secret.iter_mut().enumerate() {
        let mut acc = 0u8;
        for (i, p) in parts.iter().enumerate() {
            acc ^= mul(p[k], basis[i]);
        }
        *out = acc;
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates a polynomial with the given coefficients (constant first) at x.
    fn eval(coeffs: &[u8], x: u8) -> u8 {
        coeffs.iter().rev().fold(0u8, |acc, c| mul(acc, x) ^ c)
    }

    #[test]
    fn field_arithmetic() {
        assert_eq!(mul(0x53, 0xca), 0x01); // the classic AES inverse pair
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1);
        }
    }

    #[test]
    fn split_and_combine_threshold_two() {
        let secret = [0x42u8, 0x00, 0xff, 0x17];
        let slopes = [0x11u8, 0x22, 0x33, 0x44];
        let share = |x: u8| {
            let mut s: Vec<u8> = secret
                .iter()
                .zip(slopes)
                .map(|(&a, b)| eval(&[a, b], x))
                .collect();
            s.push(x);
            Zeroizing::new(s)
        };
        for (a, b) in [(1, 2), (2, 3), (1, 3), (200, 7)] {
            let got = combine(&[share(a), share(b)]).unwrap();
            assert_eq!(&got[..], &secret);
        }
        let all = combine(&[share(1), share(2), share(3)]).unwrap();
        assert_eq!(&all[..], &secret);
        assert!(combine(&[share(1)]).is_err());
        assert!(combine(&[share(1), share(1)]).is_err());
        assert!(combine(&[share(1), Zeroizing::new(vec![1])]).is_err());
    }
}

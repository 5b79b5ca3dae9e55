//! A policy's identity: a stable hash of its content, recorded in book snapshots so
//! that restoring one under a different policy is noticed.
//!
//! The hash is FNV-1a (64 bits) over a canonical byte encoding of the policy, written
//! here through serde rather than derived from `Debug` or `Hash`, whose output may
//! change between Rust versions and which see map order.

use super::Policy;
use serde::ser::{self, Serialize};
use std::fmt;

/// The prefix of every fingerprint: the hash and the version of the canonical
/// encoding. A change to the encoding changes the prefix, so an old fingerprint never
/// matches a new one by accident.
const SCHEME: &str = "fnv1a64";

impl Policy {
    /// The policy's identity: a short string such as `fnv1a64:8c3d0e1f2a4b5c6d` that is
    /// the same for the same policy content and differs (but for a 1 in 2^64 chance)
    /// when any key or value differs.
    ///
    /// [`LeadBook::snapshot`](crate::LeadBook::snapshot) records it, and
    /// [`LeadBook::restore`](crate::LeadBook::restore) refuses a snapshot taken under
    /// another policy.
    ///
    /// **Stability.** It is computed from the policy's serde form, read as a tree of
    /// keys and values (the keys are the policy file's keys): the same on every
    /// machine, platform, run and Rust version. It does not depend on the order of
    /// tables or keys in a file, on the order of fields in the Rust types, or on
    /// whether a key was written or left to its default: two files that give equal
    /// policies give equal fingerprints. It changes when a value changes, and when a
    /// release of leadcycle adds a policy key (its default is part of every policy from
    /// then on), unless the key is left out of the serde form at its default, as a
    /// program's empty `branches` is; the changelog says when. FNV-1a is not a cryptographic hash: it tells
    /// accidents apart (a snapshot restored under the wrong policy file), not
    /// deliberate forgeries.
    ///
    /// ```
    /// use leadcycle::Policy;
    ///
    /// let default = Policy::default();
    /// assert_eq!(default.fingerprint(), Policy::default().fingerprint());
    /// assert!(default.fingerprint().starts_with("fnv1a64:"));
    ///
    /// let mut stricter = Policy::default();
    /// stricter.scoring.mql_threshold += 10.0;
    /// assert_ne!(stricter.fingerprint(), default.fingerprint());
    /// ```
    pub fn fingerprint(&self) -> String {
        format!("{SCHEME}:{:016x}", fnv1a64(&canonical_bytes(self)))
    }
}

/// The canonical encoding of a serializable value.
///
/// Every value is a tag byte and its payload: `n` none, `u` unit, `b` a bool (one
/// byte), `i` an integer of any width (16 bytes, little-endian two's complement), `f`
/// a float (the 8 little-endian bytes of an `f64`, with `-0.0` read as `0.0` and every
/// NaN as one NaN), `s` a string (8-byte little-endian length, then UTF-8), `y` bytes
/// (likewise), `[` elements `]` for a sequence or tuple, `{` count entries `}` for a
/// map or struct. A map's or struct's entries (key, then value) are sorted by their
/// encodings, so their order never matters, and a struct field whose value is none is
/// left out, as if it were not written. `Some(v)` is `v`; a unit enum variant is its
/// name as a string; any other variant is a one-entry map from its name to its
/// content; a newtype is its content. Type names are never part of the encoding.
fn canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(Unencodable(message)) = value.serialize(Encoder { out: &mut out }) {
        // A derived `Serialize` never fails here; if a hand-written one ever does, its
        // message still makes the fingerprint deterministic rather than a panic.
        out.clear();
        out.push(b'!');
        out.extend_from_slice(message.as_bytes());
    }
    out
}

/// FNV-1a, 64 bits.
fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_continue(FNV1A64_OFFSET, bytes)
}

/// The FNV-1a (64 bits) hash of no bytes, where every hash starts.
pub(crate) const FNV1A64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a (64 bits) of the bytes hashed into `hash` so far followed by `bytes`: a hash
/// of several pieces without joining them (a sealed snapshot's header and body).
pub(crate) fn fnv1a64_continue(hash: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(hash, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

/// Why a value could not be encoded: its own `Serialize` reported an error.
#[derive(Debug)]
struct Unencodable(String);

impl fmt::Display for Unencodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unencodable {}

impl ser::Error for Unencodable {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unencodable(msg.to_string())
    }
}

const NONE: u8 = b'n';

/// Writes the canonical encoding of one value to `out`.
struct Encoder<'a> {
    out: &'a mut Vec<u8>,
}

impl Encoder<'_> {
    fn int(self, v: i128) {
        self.out.push(b'i');
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn bytes(self, tag: u8, v: &[u8]) {
        self.out.push(tag);
        self.out.extend_from_slice(&(v.len() as u64).to_le_bytes());
        self.out.extend_from_slice(v);
    }
}

/// Whether entries are a sequence's elements or a map's (or struct's) entries.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Seq,
    Map,
    /// A struct: a field whose value is none is left out.
    Struct,
}

/// The elements of a sequence, or the entries of a map or struct, being written; for
/// an enum variant, its content.
struct Entries<'a> {
    out: &'a mut Vec<u8>,
    shape: Shape,
    /// A sequence's elements so far.
    elements: Vec<u8>,
    /// A map's or struct's finished entries (key, then value), each encoded.
    entries: Vec<Vec<u8>>,
    /// The encoded key of the entry whose value comes next.
    pending: Option<Vec<u8>>,
    /// The enum variant these are the content of: written as `{variant: content}`.
    variant: Option<&'static str>,
}

impl<'a> Entries<'a> {
    fn new(out: &'a mut Vec<u8>, shape: Shape, variant: Option<&'static str>) -> Self {
        Entries {
            out,
            shape,
            elements: Vec::new(),
            entries: Vec::new(),
            pending: None,
            variant,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        value.serialize(Encoder {
            out: &mut self.elements,
        })
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unencodable> {
        let mut entry = Vec::new();
        key.serialize(Encoder { out: &mut entry })?;
        self.pending = Some(entry);
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        let mut entry = self.pending.take().unwrap_or_default();
        let key_len = entry.len();
        value.serialize(Encoder { out: &mut entry })?;
        if !(self.shape == Shape::Struct && entry[key_len..] == [NONE]) {
            self.entries.push(entry);
        }
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        self.key(name)?;
        self.value(value)
    }

    fn end(mut self) -> Result<(), Unencodable> {
        let mut content = Vec::new();
        if self.shape == Shape::Seq {
            content.push(b'[');
            content.append(&mut self.elements);
            content.push(b']');
        } else {
            write_map(&mut content, self.entries);
        }
        match self.variant {
            None => self.out.append(&mut content),
            Some(name) => variant(self.out, name, &content),
        }
        Ok(())
    }
}

/// Writes a map from its entries' encodings, sorted so that their order never matters.
fn write_map(out: &mut Vec<u8>, mut entries: Vec<Vec<u8>>) {
    entries.sort_unstable();
    out.push(b'{');
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for entry in &entries {
        out.extend_from_slice(entry);
    }
    out.push(b'}');
}

/// Writes an enum variant with content: a map of one entry, its name to its content.
fn variant(out: &mut Vec<u8>, name: &str, content: &[u8]) {
    let mut entry = Vec::new();
    Encoder { out: &mut entry }.bytes(b's', name.as_bytes());
    entry.extend_from_slice(content);
    write_map(out, vec![entry]);
}

impl ser::SerializeSeq for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeTuple for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeTupleStruct for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeTupleVariant for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.element(value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unencodable> {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unencodable> {
        self.value(value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeStruct for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl ser::SerializeStructVariant for Entries<'_> {
    type Ok = ();
    type Error = Unencodable;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), Unencodable> {
        Entries::end(self)
    }
}

impl<'a> ser::Serializer for Encoder<'a> {
    type Ok = ();
    type Error = Unencodable;
    type SerializeSeq = Entries<'a>;
    type SerializeTuple = Entries<'a>;
    type SerializeTupleStruct = Entries<'a>;
    type SerializeTupleVariant = Entries<'a>;
    type SerializeMap = Entries<'a>;
    type SerializeStruct = Entries<'a>;
    type SerializeStructVariant = Entries<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unencodable> {
        self.out.extend_from_slice(&[b'b', u8::from(v)]);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Unencodable> {
        self.int(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unencodable> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Unencodable> {
        match i128::try_from(v) {
            Ok(v) => self.int(v),
            // Above i128::MAX: a tag of its own, so it never equals a negative number.
            Err(_) => self.bytes(b'I', &v.to_le_bytes()),
        }
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unencodable> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unencodable> {
        // Equal policies have equal fingerprints: -0.0 == 0.0, and NaN is one value.
        let v = if v == 0.0 {
            0.0
        } else if v.is_nan() {
            f64::NAN
        } else {
            v
        };
        self.out.push(b'f');
        self.out.extend_from_slice(&v.to_bits().to_le_bytes());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Unencodable> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unencodable> {
        self.bytes(b's', v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unencodable> {
        self.bytes(b'y', v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Unencodable> {
        self.out.push(NONE);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unencodable> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unencodable> {
        self.out.push(b'u');
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unencodable> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Unencodable> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unencodable> {
        let mut content = Vec::new();
        value.serialize(Encoder { out: &mut content })?;
        self::variant(self.out, variant, &content);
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Seq, None))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Seq, None))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Seq, None))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Seq, Some(variant)))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Map, None))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Struct, None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Entries<'a>, Unencodable> {
        Ok(Entries::new(self.out, Shape::Struct, Some(variant)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::{BTreeMap, HashMap};

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // From the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[derive(Serialize)]
    struct Sample {
        b: u8,
        a: Option<String>,
        c: Option<u32>,
    }

    /// The canonical encoding is pinned: a change to it must change [`SCHEME`].
    #[test]
    fn canonical_encoding_of_a_struct_is_pinned() {
        let sample = Sample {
            b: 7,
            a: Some("x".into()),
            c: None,
        };
        let mut expected = vec![b'{'];
        expected.extend_from_slice(&2u64.to_le_bytes()); // `c` is none: left out
        expected.extend_from_slice(b"s");
        expected.extend_from_slice(&1u64.to_le_bytes());
        expected.extend_from_slice(b"a");
        expected.extend_from_slice(b"s");
        expected.extend_from_slice(&1u64.to_le_bytes());
        expected.extend_from_slice(b"x");
        expected.extend_from_slice(b"s");
        expected.extend_from_slice(&1u64.to_le_bytes());
        expected.extend_from_slice(b"b");
        expected.extend_from_slice(b"i");
        expected.extend_from_slice(&7i128.to_le_bytes());
        expected.push(b'}');
        assert_eq!(canonical_bytes(&sample), expected);
        assert_eq!(fnv1a64(&canonical_bytes(&sample)), fnv1a64(&expected));
    }

    #[derive(Serialize)]
    struct Reordered {
        c: Option<u32>,
        a: Option<String>,
        b: u64,
    }

    #[test]
    fn field_order_integer_width_and_an_omitted_none_do_not_matter() {
        let sample = Sample {
            b: 7,
            a: Some("x".into()),
            c: None,
        };
        let reordered = Reordered {
            c: None,
            a: Some("x".into()),
            b: 7,
        };
        assert_eq!(canonical_bytes(&sample), canonical_bytes(&reordered));
    }

    #[test]
    fn map_order_does_not_matter() {
        let entries = (0..64).map(|i| (format!("key{i}"), i));
        let hashed: HashMap<String, i32> = entries.clone().collect();
        let sorted: BTreeMap<String, i32> = entries.collect();
        assert_eq!(canonical_bytes(&hashed), canonical_bytes(&sorted));
    }

    #[test]
    fn sequence_order_matters() {
        assert_ne!(canonical_bytes(&["a", "b"]), canonical_bytes(&["b", "a"]));
    }

    #[test]
    fn negative_zero_is_zero_and_every_nan_is_one() {
        assert_eq!(canonical_bytes(&-0.0f64), canonical_bytes(&0.0f64));
        let other_nan = f64::from_bits(f64::NAN.to_bits() ^ 1);
        assert!(other_nan.is_nan());
        assert_eq!(canonical_bytes(&other_nan), canonical_bytes(&f64::NAN));
        assert_ne!(canonical_bytes(&1.0f64), canonical_bytes(&1i32));
    }

    #[test]
    fn values_that_could_run_together_stay_apart() {
        // Lengths delimit strings; tags delimit sequences.
        assert_ne!(canonical_bytes(&("ab", "c")), canonical_bytes(&("a", "bc")));
        assert_ne!(
            canonical_bytes(&vec![vec![1], vec![]]),
            canonical_bytes(&vec![vec![], vec![1]])
        );
        let one: BTreeMap<&str, Vec<&str>> = [("a", vec!["b"])].into();
        let other: BTreeMap<&str, Vec<&str>> = [("a", vec![]), ("b", vec![])].into();
        assert_ne!(canonical_bytes(&one), canonical_bytes(&other));
    }

    #[derive(Serialize)]
    enum Choice {
        Plain,
        Wrapped(u8),
        Fields { x: u8 },
    }

    #[test]
    fn enum_variants_are_their_names_not_their_positions() {
        assert_eq!(canonical_bytes(&Choice::Plain), canonical_bytes("Plain"));
        let wrapped: BTreeMap<&str, u8> = [("Wrapped", 1)].into();
        assert_eq!(
            canonical_bytes(&Choice::Wrapped(1)),
            canonical_bytes(&wrapped)
        );
        #[derive(Serialize)]
        struct X {
            x: u8,
        }
        let fields: BTreeMap<&str, X> = [("Fields", X { x: 2 })].into();
        assert_eq!(
            canonical_bytes(&Choice::Fields { x: 2 }),
            canonical_bytes(&fields)
        );
    }
}

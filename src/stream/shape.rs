//! Reading, in one pass over a JSON line, the values every rule's paths reach.
//!
//! A [`Shape`] is the tree of every field path the rules read (conditions and output
//! fields), each path with a *slot*. [`Shape::parse`] reads a JSON line and puts in each
//! slot the values its path reaches, as the evaluator would find them by walking a
//! `serde_json::Value` of the whole event: no value, one, or with `[*]` several, in document
//! order, and never a JSON null. The rest of the event is read token by token and dropped,
//! and no object along the way is built, so a path that forty rules read is walked once.
//!
//! The result is exactly the walk over a parsed `Value`:
//!
//! - **Which lines are valid.** Skipped values go through the same `deserialize_any` calls
//!   as `serde_json::Value` does (never `IgnoredAny`, which accepts lone surrogates and
//!   out-of-range numbers), so a line fails here exactly when it fails as a `Value`, at the
//!   same column.
//! - **Duplicate keys.** A `Value` keeps the last of a key given twice. When a key of the
//!   tree comes twice in one object, the values of the first would already be in their
//!   slots, so the line is read again as a whole `Value` and walked; such lines are rare.
//! - **Values read whole.** Where a path ends, the value is read as a `Value`, and any path
//!   that goes on below it is walked in that value.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::ir::{Path, Segment};

/// The field paths a set of rules reads, as a tree with a slot for every path.
#[derive(Debug, Clone)]
pub struct Shape {
    root: Node,
    slots: usize,
}

/// Gives every distinct path a slot, then builds the [`Shape`].
#[derive(Debug, Default)]
pub struct ShapeBuilder {
    slots: HashMap<Path, usize>,
    paths: Vec<Path>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// The slots of the paths that end here; where there are some, the value is read whole.
    slots: Vec<usize>,
    /// Object keys, sorted for binary search.
    keys: Vec<(String, Node)>,
    /// What `[*]` reads in every element.
    each: Option<Box<Node>>,
    /// What `[N]` reads in element N, with what `[*]` reads merged in, by N.
    indices: Vec<(usize, Node)>,
}

/// The values each slot's path reached in the last event parsed.
#[derive(Debug, Clone, Default)]
pub struct Reached {
    slots: Vec<Vec<Value>>,
    /// The slots that hold values, to empty only those before the next event.
    filled: Vec<usize>,
}

/// Why a line is not a JSON object: serde_json's message, and the 1-based byte column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl ShapeBuilder {
    /// The slot of `path`, the same for the same path.
    pub fn slot(&mut self, path: &Path) -> usize {
        if let Some(slot) = self.slots.get(path) {
            return *slot;
        }
        self.paths.push(path.clone());
        self.slots.insert(path.clone(), self.paths.len() - 1);
        self.paths.len() - 1
    }

    pub fn build(self) -> Shape {
        let mut root = Node::default();
        for (slot, path) in self.paths.iter().enumerate() {
            root.add(&path.segments, slot);
        }
        root.finish();
        Shape {
            root,
            slots: self.paths.len(),
        }
    }
}

impl Shape {
    /// A place to parse events into, sized for this shape.
    pub fn reached(&self) -> Reached {
        Reached {
            slots: vec![Vec::new(); self.slots],
            filled: Vec::new(),
        }
    }

    /// Reads one JSON object into `reached`. Anything but a JSON object is an error.
    pub fn parse(&self, json: &[u8], reached: &mut Reached) -> Result<(), ParseError> {
        reached.clear();
        let json = std::str::from_utf8(json).map_err(|error| ParseError {
            column: error.valid_up_to() + 1,
            message: "invalid UTF-8".into(),
        })?;
        let mut duplicate = false;
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let fill = Fill {
            node: &self.root,
            reached: &mut *reached,
            duplicate: &mut duplicate,
        };
        let result = Root(fill)
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end());
        match result {
            Ok(()) => Ok(()),
            Err(_) if duplicate => {
                reached.clear();
                let event: Value = serde_json::from_str(json).map_err(ParseError::from)?;
                self.root.walk(&event, reached);
                Ok(())
            }
            Err(error) => Err(ParseError::from(error)),
        }
    }
}

impl Node {
    fn add(&mut self, segments: &[Segment], slot: usize) {
        let Some((segment, rest)) = segments.split_first() else {
            self.slots.push(slot);
            return;
        };
        let child = match segment {
            Segment::Key(key) => entry(&mut self.keys, key),
            Segment::Index(index) => entry(&mut self.indices, index),
            Segment::Each => self.each.get_or_insert_with(Box::default),
        };
        child.add(rest, slot);
    }

    /// Element N of an array is read by both `[N]` and `[*]` paths, so its node is the union
    /// of the two.
    fn finish(&mut self) {
        if let Some(each) = &self.each {
            for (_, node) in &mut self.indices {
                node.merge(each);
            }
        }
        let keys = self.keys.iter_mut().map(|(_, node)| node);
        for node in keys.chain(self.indices.iter_mut().map(|(_, node)| node)) {
            node.finish();
        }
        if let Some(each) = &mut self.each {
            each.finish();
        }
    }

    fn merge(&mut self, other: &Node) {
        self.slots.extend(&other.slots);
        for (key, node) in &other.keys {
            entry(&mut self.keys, key).merge(node);
        }
        for (index, node) in &other.indices {
            entry(&mut self.indices, index).merge(node);
        }
        if let Some(each) = &other.each {
            self.each.get_or_insert_with(Box::default).merge(each);
        }
    }

    fn key(&self, key: &str) -> Option<usize> {
        self.keys
            .binary_search_by(|(name, _)| name.as_str().cmp(key))
            .ok()
    }

    /// The node of array element `index`, if any path reads it.
    fn element(&self, index: usize) -> Option<&Node> {
        match self.indices.binary_search_by_key(&index, |(at, _)| *at) {
            Ok(found) => self.indices.get(found).map(|(_, node)| node),
            Err(_) => self.each.as_deref(),
        }
    }

    fn has_children(&self) -> bool {
        !self.keys.is_empty() || !self.indices.is_empty() || self.each.is_some()
    }

    /// Fills the slots of this node and those below it from a value read whole, as the
    /// evaluator walks paths: a null reaches nothing, nor does a step into a value of the
    /// wrong kind.
    fn walk(&self, value: &Value, reached: &mut Reached) {
        match value {
            Value::Null => return,
            Value::Object(map) => {
                for (key, node) in &self.keys {
                    if let Some(inner) = map.get(key) {
                        node.walk(inner, reached);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let Some(node) = self.element(index) {
                        node.walk(item, reached);
                    }
                }
            }
            Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
        for slot in &self.slots {
            reached.push(*slot, value.clone());
        }
    }
}

/// The entry for `key` in a sorted list of children, added when missing.
fn entry<'n, K: Ord + Clone>(children: &'n mut Vec<(K, Node)>, key: &K) -> &'n mut Node {
    let at = match children.binary_search_by(|(name, _)| name.cmp(key)) {
        Ok(at) => at,
        Err(at) => {
            children.insert(at, (key.clone(), Node::default()));
            at
        }
    };
    &mut children[at].1
}

impl Reached {
    /// The values the path of `slot` reached, in document order.
    pub fn values(&self, slot: usize) -> &[Value] {
        self.slots.get(slot).map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, slot: usize, value: Value) {
        let Some(values) = self.slots.get_mut(slot) else {
            return;
        };
        if values.is_empty() {
            self.filled.push(slot);
        }
        values.push(value);
    }

    fn clear(&mut self) {
        for slot in self.filled.drain(..) {
            if let Some(values) = self.slots.get_mut(slot) {
                values.clear();
            }
        }
    }
}

impl From<serde_json::Error> for ParseError {
    /// serde_json's message without its own "at line 1 column N": the line that counts is
    /// the input's, which the caller knows.
    fn from(error: serde_json::Error) -> Self {
        let text = error.to_string();
        let message = match text.rsplit_once(" at line ") {
            Some((message, _)) => message.to_string(),
            None => text,
        };
        Self {
            column: error.column(),
            message,
        }
    }
}

/// The event itself: it must be an object.
struct Root<'a>(Fill<'a>);

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.visit_map(map)
    }
}

/// A value at `node` of the tree: read whole where paths end, else only stepped through.
struct Fill<'a> {
    node: &'a Node,
    reached: &'a mut Reached,
    /// Set when a key of the tree comes twice in one object.
    duplicate: &'a mut bool,
}

impl<'a> Fill<'a> {
    fn at<'b>(&'b mut self, node: &'b Node) -> Fill<'b> {
        Fill {
            node,
            reached: self.reached,
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Fill<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.node.slots.is_empty() {
            return deserializer.deserialize_any(self);
        }
        let value = Value::deserialize(deserializer)?;
        if self.node.has_children() {
            self.node.walk(&value, self.reached);
            return Ok(());
        }
        if let Some((last, others)) = self.node.slots.split_last().filter(|_| !value.is_null()) {
            for slot in others {
                self.reached.push(*slot, value.clone());
            }
            self.reached.push(*last, value);
        }
        Ok(())
    }
}

macro_rules! scalars_reach_nothing {
    ($($method:ident($type:ty)),* $(,)?) => {
        $(fn $method<E: de::Error>(self, _: $type) -> Result<Self::Value, E> {
            Ok(Default::default())
        })*
    };
}

impl<'de> Visitor<'de> for Fill<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    // A path cannot step through a scalar.
    scalars_reach_nothing! {
        visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_f64(f64), visit_str(&str),
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.node.keys.is_empty() {
            while map.next_entry::<Skipped, Skipped>()?.is_some() {}
            return Ok(());
        }
        let mut seen = Seen::new(self.node.keys.len());
        while let Some(found) = map.next_key_seed(KeyLookup(self.node))? {
            let Some(index) = found else {
                map.next_value::<Skipped>()?;
                continue;
            };
            if !seen.insert(index) {
                *self.duplicate = true;
                return Err(de::Error::custom("a key is given twice"));
            }
            let node = self.node;
            if let Some((_, child)) = node.keys.get(index) {
                map.next_value_seed(self.at(child))?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let node = self.node;
        for index in 0.. {
            let more = match node.element(index) {
                Some(child) => seq.next_element_seed(self.at(child))?.is_some(),
                None => seq.next_element::<Skipped>()?.is_some(),
            };
            if !more {
                break;
            }
        }
        Ok(())
    }
}

/// Which keys of a node an object has given so far.
enum Seen {
    Few(u64),
    Many(Vec<bool>),
}

impl Seen {
    fn new(keys: usize) -> Self {
        if keys <= 64 {
            Seen::Few(0)
        } else {
            Seen::Many(vec![false; keys])
        }
    }

    /// Marks key `index` as given; false when it already was.
    fn insert(&mut self, index: usize) -> bool {
        match self {
            Seen::Few(bits) => {
                let bit = 1u64 << index;
                let new = *bits & bit == 0;
                *bits |= bit;
                new
            }
            Seen::Many(flags) => flags
                .get_mut(index)
                .is_some_and(|flag| !std::mem::replace(flag, true)),
        }
    }
}

/// Finds an object key among a node's keys, as serde_json hands it over (escapes decoded).
struct KeyLookup<'a>(&'a Node);

impl<'de> DeserializeSeed<'de> for KeyLookup<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyLookup<'_> {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.key(key))
    }
}

/// A value read and checked as `serde_json::Value` reads it, then dropped.
#[derive(Default)]
struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Skipped)
    }
}

impl<'de> Visitor<'de> for Skipped {
    type Value = Skipped;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    scalars_reach_nothing! {
        visit_bool(bool), visit_i64(i64), visit_u64(u64), visit_f64(f64), visit_str(&str),
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skipped, E> {
        Ok(Skipped)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skipped, A::Error> {
        while map.next_entry::<Skipped, Skipped>()?.is_some() {}
        Ok(Skipped)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skipped, A::Error> {
        while seq.next_element::<Skipped>()?.is_some() {}
        Ok(Skipped)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::eval::Fields;

    /// JSON text from a small vocabulary, with what makes reading differ: duplicate and
    /// escaped keys, nulls, lone surrogates, out-of-range numbers, nesting of every kind.
    fn json() -> impl Strategy<Value = String> {
        let scalar = prop::sample::select(vec![
            "null",
            "true",
            "0",
            "-1.5",
            "1e400",
            "18446744073709551616",
            r#""x""#,
            r#""""#,
            r#""\u00e9""#,
            r#""\ud800""#,
        ])
        .prop_map(String::from);
        scalar.prop_recursive(4, 40, 4, |inner| {
            let key = prop::sample::select(vec![r#""a""#, r#""b""#, r#""\u0061""#, r#""c""#]);
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((key, inner), 0..4).prop_map(|entries| {
                    let entries: Vec<String> =
                        entries.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", entries.join(","))
                }),
            ]
        })
    }

    fn path() -> impl Strategy<Value = Path> {
        let segment = prop_oneof![
            prop::sample::select(vec!["a", "b", "c"]).prop_map(|key| Segment::Key(key.into())),
            (0..2usize).prop_map(Segment::Index),
            Just(Segment::Each),
        ];
        let first = prop::sample::select(vec!["a", "b"]).prop_map(|key| Segment::Key(key.into()));
        (first, prop::collection::vec(segment, 0..3)).prop_map(|(first, rest)| Path {
            segments: std::iter::once(first).chain(rest).collect(),
        })
    }

    /// What the evaluator's own walk reaches over a whole `Value`, path by path.
    fn walked(event: &Value, paths: &[Path]) -> Vec<Vec<Value>> {
        paths
            .iter()
            .map(|path| {
                let mut values = Vec::new();
                event.any_reached(0, path, &mut |value| {
                    values.push(value.clone());
                    false
                });
                values
            })
            .collect()
    }

    fn parsed(json: &str, paths: &[Path]) -> Result<Vec<Vec<Value>>, ParseError> {
        let mut builder = ShapeBuilder::default();
        let slots: Vec<usize> = paths.iter().map(|path| builder.slot(path)).collect();
        let shape = builder.build();
        let mut reached = shape.reached();
        shape.parse(json.as_bytes(), &mut reached)?;
        Ok(slots
            .iter()
            .map(|slot| reached.values(*slot).to_vec())
            .collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn slots_hold_what_the_evaluator_reaches(
            body in json(),
            paths in prop::collection::vec(path(), 1..6),
        ) {
            let json = format!(" {body}");
            match serde_json::from_str::<Value>(&json) {
                Ok(event) if event.is_object() => {
                    prop_assert_eq!(parsed(&json, &paths), Ok(walked(&event, &paths)));
                }
                // Anything but an object is refused before it is read further.
                _ if !body.starts_with('{') => prop_assert!(parsed(&json, &paths).is_err()),
                Ok(_) => prop_assert!(false, "an object reads as an object"),
                Err(error) => {
                    let failed = parsed(&json, &paths).map(|_| ());
                    prop_assert_eq!(failed.map_err(|e| e.column), Err(error.column()));
                }
            }
        }
    }

    fn path_of(text: &str) -> Path {
        crate::syntax::parse_path(text).expect("a valid path")
    }

    #[test]
    fn the_last_of_a_key_given_twice_counts() {
        let paths = [path_of("a"), path_of("a.b"), path_of("a.c")];
        let json = r#"{"a": {"b": 1}, "x": 0, "a": {"c": 2}}"#;
        let expected = vec![
            vec![serde_json::json!({"c": 2})],
            vec![],
            vec![serde_json::json!(2)],
        ];
        assert_eq!(parsed(json, &paths), Ok(expected));
    }

    #[test]
    fn elements_read_by_index_and_by_star_fill_both() {
        let paths = [path_of("r[*].t"), path_of("r[1].t"), path_of("r[*]")];
        let json = r#"{"r": [{"t": "x"}, {"t": "y"}, null, 3]}"#;
        let expected = vec![
            vec![serde_json::json!("x"), serde_json::json!("y")],
            vec![serde_json::json!("y")],
            vec![
                serde_json::json!({"t": "x"}),
                serde_json::json!({"t": "y"}),
                serde_json::json!(3),
            ],
        ];
        assert_eq!(parsed(json, &paths), Ok(expected));
    }

    /// Past 64 keys in one object of the tree, duplicates are still found.
    #[test]
    fn duplicates_are_found_among_many_keys() {
        let paths: Vec<Path> = (0..70).map(|key| path_of(&format!("k{key}"))).collect();
        let entries: Vec<String> = (0..70).map(|key| format!(r#""k{key}": {key}"#)).collect();
        let json = format!(r#"{{{}, "k65": "again"}}"#, entries.join(", "));
        let reached = parsed(&json, &paths).expect("an object");
        assert_eq!(reached[65], [serde_json::json!("again")]);
        assert_eq!(reached[64], [serde_json::json!(64)]);
    }

    /// Nesting past serde_json's limit is an error, in a skipped value as in a read one.
    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        for key in ["a", "skipped"] {
            let json = format!(
                r#"{{"{key}": {}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            let error = parsed(&json, &[path_of("a")]).expect_err("too deep");
            assert_eq!(error.message, "recursion limit exceeded");
        }
    }

    #[test]
    fn invalid_utf8_is_an_error_at_its_column() {
        let shape = ShapeBuilder::default().build();
        let error = shape
            .parse(b"{\"a\": \"\xff\"}", &mut shape.reached())
            .expect_err("invalid UTF-8");
        assert_eq!(error.column, 8);
    }
}

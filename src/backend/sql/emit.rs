//! IR to SQL. Every dialect gets the same query shape:
//!
//! ```sql
//! WITH raw AS (SELECT event, <each field's value and JSON type> FROM <table>),
//! fields AS (SELECT *, <each field's text and number> FROM raw)
//! SELECT <output fields> FROM fields WHERE <one predicate per line>
//! ```
//!
//! (`raw` reads each field once; `fields` derives its *text* and *number*, LANGUAGE.md
//! section 3.) So the `WHERE` clause reads like the condition. With negation pushed down, a
//! positive predicate may be SQL NULL (it only ever sits under AND/OR, where NULL acts as
//! false); every negated predicate is written so that it is never NULL.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::dialect::{PathStep, Spec};
use super::escape::identifier;
use super::fill::fill;
use crate::backend::{CompileError, chain};
use crate::ir::{Case, CompareOp, Expr, Literal, Path, Pred, Segment, Test, TextOp};
use crate::pattern::Folding;
use crate::rule::Rule;
use crate::source::Span;

/// The SQL statement for a rule, and what it needs from the engine.
pub struct Statement {
    pub sql: String,
    /// Whether the statement matches regexes (with `REGEXP`, which SQLite does not build
    /// in, or the dialect's own function).
    pub uses_regexp: bool,
}

pub fn statement(rule: &Rule, spec: &Spec, table: &str) -> Result<Statement, CompileError> {
    let mut emitter = Emitter {
        spec,
        raw_columns: IndexMap::new(),
        columns: IndexMap::new(),
        fields: IndexMap::new(),
        names: HashMap::new(),
        taken: HashSet::from([spec.row.to_lowercase()]),
        aliases: 0,
        uses_regexp: false,
    };
    let condition = emitter.expr(&rule.ir.push_negation(), 1)?;

    let mut outputs = Vec::new();
    for (name, path) in &rule.output_fields {
        if path.fans_out() {
            return Err(CompileError::unsupported_output(
                name,
                format!("the output field `{name}: {path}`"),
                "a field with `[*]` has several values; SQL returns one per column",
            ));
        }
        let loc = emitter.plain_loc(path, None)?;
        let json = emitter.fill_loc(spec.json_of, &loc, None)?;
        outputs.push(format!("{json} AS {}", identifier(name)));
    }
    if outputs.is_empty() {
        outputs.push(spec.row.to_string());
    }

    let mut sql = format!("WITH raw AS (\n  SELECT\n    {}", spec.row);
    for (name, expression) in &emitter.raw_columns {
        sql.push_str(&format!(",\n    {expression} AS {name}"));
    }
    sql.push_str(&format!(
        "\n  FROM {}\n),\nfields {} (\n  SELECT\n    *",
        (spec.table)(table),
        spec.fields_cte
    ));
    for (name, expression) in &emitter.columns {
        sql.push_str(&format!(",\n    {expression} AS {name}"));
    }
    sql.push_str("\n  FROM raw\n)\nSELECT\n  ");
    sql.push_str(&outputs.join(",\n  "));
    sql.push_str(&format!("\nFROM fields\nWHERE {condition};\n"));
    Ok(Statement {
        sql,
        uses_regexp: emitter.uses_regexp,
    })
}

/// A JSON value's location: a document expression, the path of an array element inside
/// it when the document is the array's own, and the steps below that.
#[derive(Debug, Clone)]
struct Loc {
    doc: String,
    base: Option<String>,
    steps: Vec<Segment>,
}

/// Where a predicate reads its value: a plain path (through `fields` columns) or an array
/// element inside the dialect's any-element test.
enum Source<'p> {
    Plain(&'p Path),
    Element(Loc),
}

/// An expression with holes (`{x}` the value, `{ty}` its type), laid out before the holes
/// are filled so that layout never touches a literal.
struct View {
    skeleton: String,
    value: String,
    ty: String,
}

struct Emitter<'s> {
    spec: &'s Spec,
    /// `raw` columns (each field's value and type): quoted name to expression.
    raw_columns: IndexMap<String, String>,
    /// `fields` columns (text and number, from `raw`), in first-use order.
    columns: IndexMap<String, String>,
    /// Every field read, in first-use order, for short column names.
    fields: IndexMap<String, ()>,
    /// The name given to each field's column of each kind (path and suffix).
    names: HashMap<(String, &'static str), String>,
    /// Column names in use, lowercased: SQLite and DuckDB match even quoted names ignoring
    /// case, so `a` and `A`, or a field `event` and the event column, must not share one.
    taken: HashSet<String>,
    aliases: usize,
    uses_regexp: bool,
}

impl Emitter<'_> {
    fn expr(&mut self, expr: &Expr, depth: usize) -> Result<String, CompileError> {
        let (items, joiner) = match expr {
            Expr::And(items) => (items, "AND"),
            Expr::Or(items) => (items, "OR"),
            Expr::Pred(pred) => return self.pred(pred),
            Expr::Not(inner) => {
                let inner = self.expr(inner, depth)?;
                return Ok(self.never_null_not(&inner));
            }
        };
        let indent = "  ".repeat(depth);
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            let text = self.expr(item, depth + 1)?;
            parts.push(if matches!(item, Expr::And(_) | Expr::Or(_)) {
                format!("(\n{indent}  {text}\n{indent})")
            } else {
                text
            });
        }
        Ok(chain::join(&parts, &format!("\n{indent}{joiner} ")))
    }

    fn never_null_not(&self, positive: &str) -> String {
        format!("NOT coalesce({positive}, {})", self.spec.false_literal)
    }

    fn pred(&mut self, pred: &Pred) -> Result<String, CompileError> {
        let Some(star) = pred.path.segments.iter().position(|s| *s == Segment::Each) else {
            let source = Source::Plain(&pred.path);
            if pred.negated && pred.test == Test::Exists {
                return Ok(format!(
                    "{} = {}",
                    self.type_view(&source, pred)?,
                    self.spec.types.null
                ));
            }
            let positive = self.test(&pred.test, &source, pred)?;
            return Ok(if pred.negated {
                self.never_null_not(&positive)
            } else {
                positive
            });
        };
        let (root, before) = self.root(&pred.path.segments[..star], Some(pred))?;
        let exists = self.any_element(&root, before, &pred.path.segments[star..], pred)?;
        Ok(if pred.negated {
            format!("NOT {exists}")
        } else {
            exists
        })
    }

    /// Some element passes the test: `segments` starts at a `[*]`, `before` are the plain
    /// steps from `base` to the array. Nests for each further `[*]`.
    fn any_element(
        &mut self,
        base: &Loc,
        before: &[Segment],
        segments: &[Segment],
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let container = extend(base, before);
        self.aliases += 1;
        let alias = format!("e{}", self.aliases);
        let after = segments.get(1..).unwrap_or_default();
        let element = Loc {
            doc: fill(
                self.spec.element_doc,
                &[("alias", &alias), ("doc", &container.doc)],
            ),
            base: self
                .spec
                .element_base
                .map(|template| fill(template, &[("alias", &alias)])),
            steps: Vec::new(),
        };
        let inner = match after.iter().position(|s| *s == Segment::Each) {
            Some(next) => self.any_element(&element, &after[..next], &after[next..], pred)?,
            None => {
                let loc = extend(&element, after);
                self.test(&pred.test, &Source::Element(loc), pred)?
            }
        };
        let is_array = format!(
            "{} = {}",
            self.fill_loc(self.spec.type_of, &container, Some(pred))?,
            self.spec.types.array
        );
        let (doc, path) = self.render(&container, Some(pred))?;
        Ok(fill(
            self.spec.any_element,
            &[
                ("doc", &doc),
                ("path", &path),
                ("alias", &alias),
                ("is_array", &is_array),
                ("inner", &inner),
            ],
        ))
    }

    /// The root location of a path's first steps: the dialect's document, and the steps
    /// it did not take.
    fn root<'a>(
        &self,
        segments: &'a [Segment],
        pred: Option<&Pred>,
    ) -> Result<(Loc, &'a [Segment]), CompileError> {
        let steps = path_steps(segments);
        let (doc, taken) =
            (self.spec.root)(&steps).map_err(|reason| self.refuse_path(segments, reason, pred))?;
        let loc = Loc {
            doc,
            base: None,
            steps: Vec::new(),
        };
        Ok((loc, segments.get(taken..).unwrap_or_default()))
    }

    /// The document and path expressions of a location.
    fn render(&self, loc: &Loc, pred: Option<&Pred>) -> Result<(String, String), CompileError> {
        let steps = path_steps(&loc.steps);
        let path = (self.spec.path)(loc.base.as_deref(), &steps)
            .map_err(|reason| self.refuse_path(&loc.steps, reason, pred))?;
        Ok((loc.doc.clone(), path))
    }

    fn fill_loc(
        &self,
        template: &str,
        loc: &Loc,
        pred: Option<&Pred>,
    ) -> Result<String, CompileError> {
        let (doc, path) = self.render(loc, pred)?;
        Ok(fill(template, &[("doc", &doc), ("path", &path)]))
    }

    fn refuse_path(
        &self,
        segments: &[Segment],
        reason: String,
        pred: Option<&Pred>,
    ) -> CompileError {
        let path = match pred {
            Some(pred) => pred.path.to_string(),
            None => Path {
                segments: segments.to_vec(),
            }
            .to_string(),
        };
        CompileError::unsupported(
            format!("the field `{path}`"),
            reason,
            pred.map(|pred| pred.span.clone()),
        )
    }

    /// The location of a plain path.
    fn plain_loc(&self, path: &Path, pred: Option<&Pred>) -> Result<Loc, CompileError> {
        let (root, rest) = self.root(&path.segments, pred)?;
        Ok(extend(&root, rest))
    }

    /// The SQL for a positive test; NULL counts as false.
    fn test(
        &mut self,
        test: &Test,
        source: &Source<'_>,
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let spec = self.spec;
        let types = &spec.types;
        Ok(match test {
            Test::Exists => format!("{} <> {}", self.type_view(source, pred)?, types.null),
            Test::NotEmpty => {
                let ty = self.type_view(source, pred)?;
                let text = self.text_view(source, pred)?;
                let loc = self.loc(source, pred)?;
                format!(
                    "CASE {ty} WHEN {} THEN {f} WHEN {} THEN {text} <> '' WHEN {} THEN {} \
                     WHEN {} THEN {} ELSE {t} END",
                    types.null,
                    types.text,
                    types.array,
                    self.fill_loc(spec.array_not_empty, &loc, Some(pred))?,
                    types.object,
                    self.fill_loc(spec.object_not_empty, &loc, Some(pred))?,
                    f = spec.false_literal,
                    t = spec.true_literal,
                )
            }
            Test::Equals { values, case } => self.equals(values, *case, source, pred)?,
            Test::Text { op, needles, case } => {
                let text = self.folded_text(*case, source, pred)?;
                let mut tests = Vec::with_capacity(needles.len());
                for needle in needles {
                    let needle = self.fold(needle, *case);
                    tests.push(self.text_test(*op, &text, &needle, &pred.span)?);
                }
                any(tests)
            }
            Test::Regex { patterns, case } => self.regex(patterns, *case, source, pred)?,
            Test::Compare { op, value } => {
                let symbol = match op {
                    CompareOp::Gt => ">",
                    CompareOp::Ge => ">=",
                    CompareOp::Lt => "<",
                    CompareOp::Le => "<=",
                };
                let number = (spec.number)(value);
                format!("{} {symbol} {number}", self.number_view(source, pred)?)
            }
        })
    }

    fn equals(
        &mut self,
        values: &[Literal],
        case: Case,
        source: &Source<'_>,
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let mut texts = Vec::new();
        let mut numbers = Vec::new();
        for value in values {
            match value {
                Literal::Str(text) => texts.push(self.literal(&self.fold(text, case), &pred.span)?),
                Literal::Bool(flag) => texts.push(self.literal(&flag.to_string(), &pred.span)?),
                Literal::Num(number) => numbers.push((self.spec.number)(number)),
            }
        }
        let mut tests = Vec::new();
        if !texts.is_empty() {
            // Booleans compare as case-folded text: `true` is the text of the boolean too.
            let case = if values.iter().any(|v| matches!(v, Literal::Bool(_))) {
                Case::Insensitive
            } else {
                case
            };
            let text = self.folded_text(case, source, pred)?;
            tests.push(match texts.as_slice() {
                [one] => format!("{text} = {one}"),
                many => format!("{text} IN ({})", many.join(", ")),
            });
        }
        if !numbers.is_empty() {
            let number = self.number_view(source, pred)?;
            tests.push(match numbers.as_slice() {
                [one] => format!("{number} = {one}"),
                many => format!("{number} IN ({})", many.join(", ")),
            });
        }
        Ok(any(tests))
    }

    fn text_test(
        &self,
        op: TextOp,
        text: &str,
        needle: &str,
        span: &Span,
    ) -> Result<String, CompileError> {
        if needle.is_empty() {
            return Ok(format!("{text} IS NOT NULL"));
        }
        let template = match op {
            TextOp::Contains => self.spec.contains,
            TextOp::StartsWith => self.spec.starts_with,
            TextOp::EndsWith => self.spec.ends_with,
        };
        let literal = self.literal(needle, span)?;
        let len = needle.chars().count().to_string();
        Ok(fill(
            template,
            &[("x", text), ("needle", &literal), ("len", &len)],
        ))
    }

    fn regex(
        &mut self,
        patterns: &[crate::pattern::Pattern],
        case: Case,
        source: &Source<'_>,
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let spec = self.spec;
        self.uses_regexp = true;
        let folded = case == Case::Insensitive;
        let (template, lowercase) = match (folded, spec.regex_folded) {
            (true, Some(template)) => (template, false),
            (true, None) => (spec.regex, true),
            (false, _) => (spec.regex, false),
        };
        let text = if lowercase {
            self.folded_text(Case::Insensitive, source, pred)?
        } else {
            self.text_view(source, pred)?
        };
        let mut tests = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            if let Some(reason) = (spec.regex_check)(&pattern.node) {
                return Err(CompileError::unsupported(
                    format!("the regex `{}`", pattern.source),
                    reason,
                    Some(pred.span.clone()),
                ));
            }
            let folding = if lowercase {
                Folding::Lowercase
            } else {
                Folding::AsWritten
            };
            let printed = crate::pattern::print(&pattern.node, spec.regex_flavor, folding);
            let wrapped = fill(spec.regex_wrap, &[("p", &printed)]);
            let literal = self.literal(&wrapped, &pred.span)?;
            tests.push(fill(template, &[("x", &text), ("re", &literal)]));
        }
        Ok(any(tests))
    }

    fn literal(&self, text: &str, span: &Span) -> Result<String, CompileError> {
        (self.spec.string)(text).map_err(|reason| {
            CompileError::unsupported(format!("the text {text:?}"), reason, Some(span.clone()))
        })
    }

    fn fold(&self, text: &str, case: Case) -> String {
        match case {
            Case::Insensitive => (self.spec.fold)(text),
            Case::Sensitive => text.to_string(),
        }
    }

    fn folded_text(
        &mut self,
        case: Case,
        source: &Source<'_>,
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let text = self.text_view(source, pred)?;
        Ok(match case {
            Case::Insensitive => fill(self.spec.lower, &[("x", &text)]),
            Case::Sensitive => text,
        })
    }

    fn loc(&self, source: &Source<'_>, pred: &Pred) -> Result<Loc, CompileError> {
        match source {
            Source::Plain(path) => self.plain_loc(path, Some(pred)),
            Source::Element(loc) => Ok(loc.clone()),
        }
    }

    /// The value and JSON type of a source: `raw` columns for a plain path, inline
    /// expressions for an array element.
    fn refs(&mut self, source: &Source<'_>, pred: &Pred) -> Result<(String, String), CompileError> {
        let loc = self.loc(source, pred)?;
        let value = self.fill_loc(self.spec.value_of, &loc, Some(pred))?;
        let ty = self.fill_loc(self.spec.type_of, &loc, Some(pred))?;
        Ok(match source {
            Source::Plain(path) => {
                let value_name = self.column(path, ":value");
                let type_name = self.column(path, ":type");
                self.raw_columns.entry(value_name.clone()).or_insert(value);
                self.raw_columns.entry(type_name.clone()).or_insert(ty);
                (value_name, type_name)
            }
            Source::Element(_) => (value, ty),
        })
    }

    fn type_view(&mut self, source: &Source<'_>, pred: &Pred) -> Result<String, CompileError> {
        Ok(self.refs(source, pred)?.1)
    }

    /// The text of the value (LANGUAGE.md section 3), NULL when it has none.
    fn text_view(&mut self, source: &Source<'_>, pred: &Pred) -> Result<String, CompileError> {
        let (value, ty) = self.refs(source, pred)?;
        let view = View {
            skeleton: case_of(self.spec.text_arms),
            value,
            ty,
        };
        Ok(self.view(source, "", view))
    }

    /// The numeric value of a number or numeric string, NULL otherwise.
    fn number_view(&mut self, source: &Source<'_>, pred: &Pred) -> Result<String, CompileError> {
        self.uses_regexp = true;
        let (value, ty) = self.refs(source, pred)?;
        let skeleton = fill(
            &case_of(self.spec.number_arms),
            &[("numeric", self.spec.is_numeric)],
        );
        let view = View {
            skeleton,
            value,
            ty,
        };
        Ok(self.view(source, ":number", view))
    }

    /// A plain path's derived view becomes a `fields` column; an element's stays inline.
    fn view(&mut self, source: &Source<'_>, suffix: &'static str, view: View) -> String {
        let holes = [("x", view.value.as_str()), ("ty", view.ty.as_str())];
        match source {
            Source::Plain(path) => {
                let name = self.column(path, suffix);
                let laid_out = view.skeleton.replace('\n', "\n    ");
                self.columns
                    .entry(name.clone())
                    .or_insert_with(|| fill(&laid_out, &holes));
                name
            }
            Source::Element(_) => {
                let one_line: Vec<&str> = view.skeleton.lines().map(str::trim_start).collect();
                format!("({})", fill(&one_line.join(" "), &holes))
            }
        }
    }

    /// The quoted name of a column derived from a field: the field's path and `suffix`,
    /// tagged with the field's number where that name is taken (ignoring case) or longer
    /// than the engine keeps, and cut short in the second case.
    fn column(&mut self, path: &Path, suffix: &'static str) -> String {
        let text = path.to_string();
        if let Some(name) = self.names.get(&(text.clone(), suffix)) {
            return name.clone();
        }
        let (number, _) = self.fields.insert_full(text.clone(), ());
        let mut name = format!("{text}{suffix}");
        let too_long = |name: &str| self.spec.max_identifier.is_some_and(|max| name.len() > max);
        let mut tags = 0;
        while too_long(&name) || self.taken.contains(&name.to_lowercase()) {
            tags += 1;
            let tag = format!("{}{suffix}", "~".repeat(tags) + &(number + 1).to_string());
            let mut cut = self.spec.max_identifier.map_or(text.len(), |max| {
                max.saturating_sub(tag.len()).min(text.len())
            });
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            name = format!("{}{tag}", &text[..cut]);
        }
        self.taken.insert(name.to_lowercase());
        let quoted = identifier(&name);
        self.names.insert((text, suffix), quoted.clone());
        quoted
    }
}

/// `CASE {ty} WHEN <name> THEN <arm> ... END`, one arm a line.
fn case_of(arms: &[(&str, &str)]) -> String {
    let mut out = String::from("CASE {ty}");
    for (name, arm) in arms {
        out.push_str(&format!("\n  WHEN {name} THEN {arm}"));
    }
    out.push_str("\nEND");
    out
}

fn extend(loc: &Loc, segments: &[Segment]) -> Loc {
    let mut extended = loc.clone();
    extended.steps.extend(segments.iter().cloned());
    extended
}

fn path_steps(segments: &[Segment]) -> Vec<PathStep<'_>> {
    segments
        .iter()
        .filter_map(|segment| match segment {
            Segment::Key(key) => Some(PathStep::Key(key)),
            Segment::Index(index) => Some(PathStep::Index(*index)),
            Segment::Each => None,
        })
        .collect()
}

fn any(tests: Vec<String>) -> String {
    match tests.len() {
        1 => tests.into_iter().next().unwrap_or_default(),
        _ => format!("({})", chain::join(&tests, " OR ")),
    }
}

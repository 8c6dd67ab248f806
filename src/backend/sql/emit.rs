//! IR to SQL. Every dialect gets the same query shape:
//!
//! ```sql
//! WITH fields AS (SELECT event, <one column per field view> FROM <table>)
//! SELECT <output fields> FROM fields WHERE <one predicate per line>
//! ```
//!
//! (`raw` first reads each field's value and JSON type; `fields` derives its *text* and
//! *number*, LANGUAGE.md section 3.) Each field is read once, so the `WHERE` clause reads
//! like the condition. With negation
//! pushed down, a positive predicate may be SQL NULL (it only ever sits under AND/OR, where
//! NULL acts as false); every negated predicate is written so that it is never NULL.

use indexmap::IndexMap;

use super::dialect::{PathStep, Spec};
use crate::backend::CompileError;
use crate::ir::{Case, CompareOp, Expr, Literal, Path, Pred, Segment, Test, TextOp};
use crate::rule::Rule;

/// The SQL statement for a rule, and what it needs from the engine.
pub struct Statement {
    pub sql: String,
    /// Whether the statement calls `REGEXP` (which SQLite does not build in).
    pub uses_regexp: bool,
}

const NUMERIC_STRING: &str = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$";

pub fn statement(rule: &Rule, spec: &Spec, table: &str) -> Result<Statement, CompileError> {
    let mut emitter = Emitter {
        spec,
        raw_columns: IndexMap::new(),
        columns: IndexMap::new(),
        aliases: 0,
        uses_regexp: false,
    };
    let condition = emitter.expr(&rule.ir.push_negation(), 1)?;

    let mut outputs = Vec::new();
    for (name, path) in &rule.output_fields {
        let loc = emitter.plain_loc(path, None)?;
        outputs.push(format!(
            "{} AS {}",
            fill(spec.json_of, &loc),
            identifier(name)
        ));
    }
    if outputs.is_empty() {
        outputs.push("event".to_string());
    }

    let mut sql = String::from("WITH raw AS (\n  SELECT\n    event");
    for (name, expression) in &emitter.raw_columns {
        sql.push_str(&format!(",\n    {expression} AS {name}"));
    }
    sql.push_str(&format!(
        "\n  FROM {}\n),\nfields AS (\n  SELECT\n    *",
        identifier(table)
    ));
    for (name, expression) in &emitter.columns {
        sql.push_str(&format!(
            ",\n    {} AS {name}",
            expression.replace('\n', "\n    ")
        ));
    }
    sql.push_str("\n  FROM raw\n)\nSELECT\n  ");
    sql.push_str(&outputs.join(",\n  "));
    sql.push_str(&format!("\nFROM fields\nWHERE {condition};\n"));
    Ok(Statement {
        sql,
        uses_regexp: emitter.uses_regexp,
    })
}

/// A JSON value's location: a document expression and a path expression.
#[derive(Debug, Clone)]
struct Loc {
    doc: String,
    path: String,
}

/// Where a predicate reads its value: a plain path (through `fields` columns) or an array
/// element inside an `EXISTS`.
enum Source<'p> {
    Plain(&'p Path),
    Element(Loc),
}

struct Emitter<'s> {
    spec: &'s Spec,
    /// `raw` columns (each field's value and type): quoted name to expression.
    raw_columns: IndexMap<String, String>,
    /// `fields` columns (text and number, from `raw`), in first-use order.
    columns: IndexMap<String, String>,
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
                return Ok(format!(
                    "NOT coalesce({inner}, {})",
                    self.spec.false_literal
                ));
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
        Ok(parts.join(&format!("\n{indent}{joiner} ")))
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
                format!("NOT coalesce({positive}, {})", self.spec.false_literal)
            } else {
                positive
            });
        };
        let base = Loc {
            doc: "event".into(),
            path: String::new(),
        };
        let exists = self.exists(&base, &pred.path.segments, star, pred)?;
        Ok(if pred.negated {
            format!("NOT {exists}")
        } else {
            exists
        })
    }

    /// `EXISTS (SELECT 1 FROM <elements> WHERE <test on an element>)`, nesting for each `[*]`.
    fn exists(
        &mut self,
        base: &Loc,
        segments: &[Segment],
        star: usize,
        pred: &Pred,
    ) -> Result<String, CompileError> {
        let (before, after) = segments.split_at(star);
        let after = after.get(1..).unwrap_or_default();
        let container = self.extend(base, before, pred)?;
        self.aliases += 1;
        let alias = format!("e{}", self.aliases);
        let element = Loc {
            doc: container.doc.clone(),
            path: self.spec.element_path.replace("{alias}", &alias),
        };
        let inner = match after.iter().position(|s| *s == Segment::Each) {
            Some(next) => self.exists(&element, after, next, pred)?,
            None => {
                let loc = self.extend(&element, after, pred)?;
                self.test(&pred.test, &Source::Element(loc), pred)?
            }
        };
        let each = fill(self.spec.each, &container).replace("{alias}", &alias);
        let is_array = format!(
            "{} = {}",
            fill(self.spec.type_of, &container),
            self.spec.types.array
        );
        Ok(format!(
            "EXISTS (SELECT 1 FROM {each} WHERE {is_array} AND {inner})"
        ))
    }

    /// `loc` extended by plain segments.
    fn extend(&self, loc: &Loc, segments: &[Segment], pred: &Pred) -> Result<Loc, CompileError> {
        let path = self.path_literal(segments, pred)?;
        if loc.path.is_empty() {
            return Ok(Loc {
                doc: loc.doc.clone(),
                path,
            });
        }
        if segments.is_empty() {
            return Ok(loc.clone());
        }
        let suffix = (self.spec.string)(path.trim_matches('\'').trim_start_matches('$'));
        let joined = self
            .spec
            .path_concat
            .replace("{x}", &loc.path)
            .replace("{suffix}", &suffix);
        Ok(Loc {
            doc: loc.doc.clone(),
            path: joined,
        })
    }

    fn path_literal(&self, segments: &[Segment], pred: &Pred) -> Result<String, CompileError> {
        let steps: Vec<PathStep<'_>> = segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Key(key) => Some(PathStep::Key(key)),
                Segment::Index(index) => Some(PathStep::Index(*index)),
                Segment::Each => None,
            })
            .collect();
        (self.spec.path)(&steps).ok_or_else(|| {
            CompileError::unsupported(
                format!("the field `{}`", pred.path),
                format!(
                    "{} cannot address a JSON key containing `\"`",
                    self.spec.title
                ),
                Some(pred.span.clone()),
            )
        })
    }

    /// The location of a plain path in the `fields` document.
    fn plain_loc(&self, path: &Path, pred: Option<&Pred>) -> Result<Loc, CompileError> {
        if path.fans_out() {
            return Err(CompileError::unsupported(
                format!("the output field `{path}`"),
                "an output field with `[*]` has several values; SQL returns one per column",
                None,
            ));
        }
        let steps: Vec<PathStep<'_>> = path
            .segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Key(key) => Some(PathStep::Key(key)),
                Segment::Index(index) => Some(PathStep::Index(*index)),
                Segment::Each => None,
            })
            .collect();
        let literal = (self.spec.path)(&steps).ok_or_else(|| {
            CompileError::unsupported(
                format!("the field `{path}`"),
                format!(
                    "{} cannot address a JSON key containing `\"`",
                    self.spec.title
                ),
                pred.map(|pred| pred.span.clone()),
            )
        })?;
        Ok(Loc {
            doc: "event".into(),
            path: literal,
        })
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
                    "CASE {ty} WHEN {} THEN {f} WHEN {} THEN {text} <> '' WHEN {} THEN {} > 0 \
                     WHEN {} THEN {} <> '{{}}' ELSE {t} END",
                    types.null,
                    types.text,
                    types.array,
                    fill(spec.array_length, &loc),
                    types.object,
                    fill(spec.json_of, &loc),
                    f = spec.false_literal,
                    t = spec.true_literal,
                )
            }
            Test::Equals { values, case } => self.equals(values, *case, source, pred)?,
            Test::Text { op, needles, case } => {
                let text = self.folded_text(*case, source, pred)?;
                let tests: Vec<String> = needles
                    .iter()
                    .map(|needle| self.text_test(*op, &text, &self.fold(needle, *case)))
                    .collect();
                any(tests)
            }
            Test::Regex { patterns, case } => {
                self.uses_regexp = true;
                let lowercase = *case == Case::Insensitive;
                let text = self.folded_text(*case, source, pred)?;
                let tests: Vec<String> = patterns
                    .iter()
                    .map(|pattern| {
                        let printed =
                            crate::pattern::print(&pattern.node, spec.regex_flavor, lowercase);
                        spec.regex_search
                            .replace("{x}", &text)
                            .replace("{re}", &(spec.string)(&printed))
                    })
                    .collect();
                any(tests)
            }
            Test::Compare { op, value } => {
                let symbol = match op {
                    CompareOp::Gt => ">",
                    CompareOp::Ge => ">=",
                    CompareOp::Lt => "<",
                    CompareOp::Le => "<=",
                };
                format!(
                    "{} {symbol} {}",
                    self.number_view(source, pred)?,
                    value.text
                )
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
                Literal::Str(text) => texts.push((self.spec.string)(&self.fold(text, case))),
                Literal::Bool(flag) => texts.push((self.spec.string)(&flag.to_string())),
                Literal::Num(number) => numbers.push(number.text.clone()),
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

    fn text_test(&self, op: TextOp, text: &str, needle: &str) -> String {
        if needle.is_empty() {
            return format!("{text} IS NOT NULL");
        }
        let template = match op {
            TextOp::Contains => self.spec.contains,
            TextOp::StartsWith => self.spec.starts_with,
            TextOp::EndsWith => self.spec.ends_with,
        };
        template
            .replace("{x}", text)
            .replace("{needle}", &(self.spec.string)(needle))
            .replace("{len}", &needle.chars().count().to_string())
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
            Case::Insensitive => self.spec.lower.replace("{x}", &text),
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
        let value = fill(self.spec.value_of, &loc);
        let ty = fill(self.spec.type_of, &loc);
        Ok(match source {
            Source::Plain(path) => {
                let value_name = identifier(&format!("{path}:value"));
                let type_name = identifier(&format!("{path}:type"));
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
        let spec = self.spec;
        let (value, ty) = self.refs(source, pred)?;
        let types = &spec.types;
        let expression = format!(
            "CASE {ty}\n  WHEN {} THEN {value}\n  WHEN {} THEN {}\n  WHEN {} THEN {}\n  \
             WHEN {} THEN 'true'\n  WHEN {} THEN 'false'\nEND",
            types.text,
            types.integer,
            spec.integer_text.replace("{x}", &value),
            types.real,
            spec.real_text.replace("{x}", &value),
            types.true_,
            types.false_,
        );
        Ok(self.view(source, "", expression))
    }

    /// The numeric value of a number or numeric string, NULL otherwise.
    fn number_view(&mut self, source: &Source<'_>, pred: &Pred) -> Result<String, CompileError> {
        self.uses_regexp = true;
        let spec = self.spec;
        let (value, ty) = self.refs(source, pred)?;
        let numeric = spec
            .regex_search
            .replace("{x}", &value)
            .replace("{re}", &(spec.string)(NUMERIC_STRING));
        let expression = format!(
            "CASE {ty}\n  WHEN {} THEN {value}\n  WHEN {} THEN {value}\n  \
             WHEN {} THEN CASE WHEN {numeric} THEN {} END\nEND",
            spec.types.integer,
            spec.types.real,
            spec.types.text,
            spec.to_real.replace("{x}", &value),
        );
        Ok(self.view(source, ":number", expression))
    }

    /// A plain path's derived view becomes a `fields` column; an element's stays inline.
    fn view(&mut self, source: &Source<'_>, suffix: &str, expression: String) -> String {
        match source {
            Source::Plain(path) => {
                let name = identifier(&format!("{path}{suffix}"));
                self.columns.entry(name.clone()).or_insert(expression);
                name
            }
            Source::Element(_) => format!("({})", expression.replace('\n', " ")),
        }
    }
}

fn fill(template: &str, loc: &Loc) -> String {
    template
        .replace("{doc}", &loc.doc)
        .replace("{path}", &loc.path)
}

fn any(tests: Vec<String>) -> String {
    match tests.len() {
        1 => tests.into_iter().next().unwrap_or_default(),
        _ => format!("({})", tests.join(" OR ")),
    }
}

/// A double-quoted SQL identifier.
pub fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

//! IR to a KQL query:
//!
//! ```kql
//! <let helpers, when JSON values are read>
//! <Table>
//! | where <one top-level conjunct per line, in source order>
//! | project TimeGenerated, <output name> = <column>, ...
//! ```
//!
//! A `[*]` predicate counts the elements that pass its test with an `mv-apply` placed just
//! before the `where` that uses the count (`hits1 > 0`: some element passes; `hits1 == 0`:
//! none does).

use super::expr::{Expr, Func, Name, Op};
use super::helpers::{Helper, Used};
use super::predicate::{Builder, Operand};
use super::source::{Located, Source};
use crate::backend::CompileError;
use crate::ir::{Expr as Ir, Pred, Segment};
use crate::mapping::ColumnType;
use crate::rule::Rule;
use crate::source::Span;

/// A compiled query.
#[derive(Debug, Clone)]
pub struct Query {
    pub helpers: Used,
    pub table: Name,
    pub stages: Vec<Stage>,
    /// Output name and value, in the rule's order; empty when the rule names none.
    pub outputs: Vec<(Name, Expr)>,
    /// The counts `mv-apply` stages add, removed again when nothing is projected.
    pub counts: Vec<Name>,
    /// Fields read inside `RawEvent`, in first-use order.
    pub raw_fields: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Stage {
    Where(Expr),
    Any(AnyStage),
}

/// `mv-apply <element> = elements(<array>) on (... summarize <hits> = countif(...))`.
#[derive(Debug, Clone)]
pub struct AnyStage {
    pub element: Name,
    pub array: Expr,
    pub body: AnyBody,
    pub hits: Name,
}

#[derive(Debug, Clone)]
pub enum AnyBody {
    /// The test on one element (its positive form).
    Test(Expr),
    /// Another `[*]` further down the path.
    Nested(Box<AnyStage>),
}

/// Compiles a rule's condition and output fields against its table.
pub fn emit(rule: &Rule, source: &Source<'_>) -> Result<Query, CompileError> {
    let mut emitter = Emitter {
        source,
        helpers: Used::default(),
        pending: Vec::new(),
        counts: Vec::new(),
        stages: 0,
        raw_fields: Vec::new(),
    };
    let condition = rule.ir.push_negation();
    let conjuncts = match &condition {
        Ir::And(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut stages = Vec::new();
    for conjunct in conjuncts {
        let test = emitter.expr(conjunct)?;
        stages.extend(emitter.pending.drain(..).map(Stage::Any));
        stages.push(Stage::Where(test));
    }
    if stages.len() > MAX_STAGES {
        stages = fewer_stages(stages)?;
    }
    let outputs = emitter.outputs(rule)?;
    Ok(Query {
        helpers: emitter.helpers,
        table: source.table.clone(),
        stages,
        outputs,
        counts: emitter.counts,
        raw_fields: emitter.raw_fields,
    })
}

/// Pipeline stages a query may have: each `|` nests the parse a level deeper, and Kusto's
/// parser refuses a query of about 500 (measured with Microsoft's parser).
const MAX_STAGES: usize = 400;

/// The stages of a query with too many: the `mv-apply` stages in order, then one `where`
/// with every test. An `mv-apply` keeps every row (its `summarize` counts), so filtering
/// after all of them keeps the same rows as filtering between them.
fn fewer_stages(stages: Vec<Stage>) -> Result<Vec<Stage>, CompileError> {
    let (mut applies, mut tests) = (Vec::new(), Vec::new());
    for stage in stages {
        match stage {
            Stage::Any(any) => applies.push(Stage::Any(any)),
            Stage::Where(test) => tests.push(test),
        }
    }
    if applies.len() >= MAX_STAGES {
        return Err(CompileError::unsupported(
            format!("{} `[*]` tests at the top of the condition", applies.len()),
            format!(
                "each is an `mv-apply` stage, and Kusto's parser refuses a query of more than \
                 about {MAX_STAGES} stages"
            ),
            None,
        ));
    }
    applies.push(Stage::Where(Expr::and(tests)));
    Ok(applies)
}

struct Emitter<'s, 'm> {
    source: &'s Source<'m>,
    helpers: Used,
    /// `mv-apply` stages the conjunct being compiled needs.
    pending: Vec<AnyStage>,
    /// The counts of top-level `mv-apply` stages, which stay in the rows.
    counts: Vec<Name>,
    /// `mv-apply` stages made so far, nested ones included, for their names.
    stages: usize,
    raw_fields: Vec<String>,
}

impl Emitter<'_, '_> {
    fn expr(&mut self, expr: &Ir) -> Result<Expr, CompileError> {
        match expr {
            Ir::And(items) => Ok(Expr::and(self.all(items)?)),
            Ir::Or(items) => Ok(Expr::or(self.all(items)?)),
            // Negation is pushed onto predicates before emitting; this keeps `expr` total.
            Ir::Not(_) => self.expr(&expr.push_negation()),
            Ir::Pred(pred) => self.pred(pred),
        }
    }

    fn all(&mut self, items: &[Ir]) -> Result<Vec<Expr>, CompileError> {
        items.iter().map(|item| self.expr(item)).collect()
    }

    fn pred(&mut self, pred: &Pred) -> Result<Expr, CompileError> {
        let located = self.source.locate(&pred.path, Some(&pred.span))?;
        self.note_raw(&located, &pred.path.to_string());
        if located.rest.contains(&Segment::Each) {
            let stage = self.any_stage(&located, located.rest, pred)?;
            self.counts.push(stage.hits.clone());
            let hits = Expr::Name(stage.hits.clone());
            self.pending.push(stage);
            let (op, zero) = if pred.negated {
                (Op::Eq, Expr::int(0))
            } else {
                (Op::Gt, Expr::int(0))
            };
            return Ok(Expr::binary(hits, op, zero));
        }
        let operand = operand(&located, located.rest, pred)?;
        let forms = Builder {
            helpers: &mut self.helpers,
        }
        .forms(&operand, &pred.test, pred)?;
        Ok(if pred.negated {
            forms.negative
        } else {
            forms.positive
        })
    }

    /// The `mv-apply` for `segments` (which hold a `[*]`) below `located`'s column.
    fn any_stage(
        &mut self,
        located: &Located<'_>,
        segments: &[Segment],
        pred: &Pred,
    ) -> Result<AnyStage, CompileError> {
        let star = segments
            .iter()
            .position(|segment| *segment == Segment::Each)
            .unwrap_or(segments.len());
        let (before, after) = segments.split_at(star);
        let after = after.get(1..).unwrap_or_default();
        let array = json_path(located, before, &Field::of(pred))?;

        self.stages += 1;
        let element = fixed_name(&format!("elem{}", self.stages));
        let hits = fixed_name(&format!("hits{}", self.stages));
        self.helpers.add(Helper::Elements);

        let inner = Located {
            column: Expr::Name(element.clone()),
            column_name: element.value.clone(),
            ty: ColumnType::Dynamic,
            rest: after,
            raw: false,
        };
        let body = if after.contains(&Segment::Each) {
            AnyBody::Nested(Box::new(self.any_stage(&inner, after, pred)?))
        } else {
            let operand = operand(&inner, after, pred)?;
            let forms = Builder {
                helpers: &mut self.helpers,
            }
            .forms(&operand, &pred.test, pred)?;
            AnyBody::Test(forms.positive)
        };
        Ok(AnyStage {
            element,
            array,
            body,
            hits,
        })
    }

    fn outputs(&mut self, rule: &Rule) -> Result<Vec<(Name, Expr)>, CompileError> {
        let mut outputs = Vec::new();
        for (name, path) in &rule.output_fields {
            if path.fans_out() {
                return Err(CompileError::unsupported_output(
                    name,
                    format!("the output field `{name}: {path}`"),
                    "a field with `[*]` has several values; a result column holds one",
                ));
            }
            let located = self
                .source
                .locate(path, None)
                .map_err(|error| error.at_output(name))?;
            self.note_raw(&located, &path.to_string());
            let value = if located.rest.is_empty() {
                located.column.clone()
            } else {
                let field = Field {
                    path: path.to_string(),
                    span: None,
                };
                let value = json_path(&located, located.rest, &field)
                    .map_err(|error| error.at_output(name))?;
                Expr::call1(Func::ToString, value)
            };
            let name = Name::new(name).ok_or_else(|| {
                CompileError::Render(format!("the output name {name:?} cannot be written"))
            })?;
            outputs.push((name, value));
        }
        Ok(outputs)
    }

    fn note_raw(&mut self, located: &Located<'_>, path: &str) {
        if located.raw && !self.raw_fields.iter().any(|field| field == path) {
            self.raw_fields.push(path.to_string());
        }
    }
}

/// The operand a predicate reads at `rest` below `located`'s column (no `[*]` in `rest`).
fn operand(located: &Located<'_>, rest: &[Segment], pred: &Pred) -> Result<Operand, CompileError> {
    if !rest.is_empty() {
        return Ok(Operand::Json(json_path(located, rest, &Field::of(pred))?));
    }
    let column = located.column.clone();
    Ok(match located.ty {
        ColumnType::String => Operand::Text(column),
        ColumnType::Long | ColumnType::Int => Operand::Integer(column),
        ColumnType::Real => Operand::Real(column),
        ColumnType::Bool => Operand::Bool(column),
        ColumnType::Datetime | ColumnType::Guid | ColumnType::Ip => {
            Operand::Opaque(column, located.ty)
        }
        ColumnType::Dynamic => Operand::Json(column),
        ColumnType::Json => Operand::JsonText(Expr::call1(Func::ParseJson, column)),
    })
}

/// The JSON value a column holds: a dynamic column itself, or the parsed text of a column of
/// JSON text (`parse_json("")` is null, so an empty column reads as a missing value). Columns
/// of other types have no fields.
fn json_value(located: &Located<'_>) -> Option<Expr> {
    match located.ty {
        ColumnType::Dynamic => Some(located.column.clone()),
        ColumnType::Json => Some(Expr::call1(Func::ParseJson, located.column.clone())),
        _ => None,
    }
}

/// `Column.key[0]`, `parse_json(Column).key`: a path inside a column's JSON value; refused
/// below a column that holds no JSON.
fn json_path(
    located: &Located<'_>,
    segments: &[Segment],
    field: &Field<'_>,
) -> Result<Expr, CompileError> {
    let Some(mut value) = json_value(located) else {
        return Err(not_dynamic(located, field));
    };
    for segment in segments {
        value = match segment {
            Segment::Key(key) => {
                let key = Name::key(key).ok_or_else(|| {
                    CompileError::unsupported(
                        format!("the key {key:?} of the field `{}`", field.path),
                        "KQL has no documented way to write its control characters",
                        field.span.cloned(),
                    )
                })?;
                Expr::Member(Box::new(value), key)
            }
            Segment::Index(index) => Expr::Index(Box::new(value), *index),
            Segment::Each => {
                return Err(CompileError::Render(format!(
                    "`[*]` in the middle of {}",
                    field.path
                )));
            }
        };
    }
    Ok(value)
}

fn not_dynamic(located: &Located<'_>, field: &Field<'_>) -> CompileError {
    CompileError::unsupported(
        format!("the field `{}`", field.path),
        format!(
            "it is read from the column {}, which holds no JSON and has no fields or \
             elements; check the field's path or the mapping",
            located.column_name
        ),
        field.span.cloned(),
    )
}

/// The field a path belongs to, for error messages.
struct Field<'a> {
    path: String,
    span: Option<&'a Span>,
}

impl<'a> Field<'a> {
    fn of(pred: &'a Pred) -> Field<'a> {
        Field {
            path: pred.path.to_string(),
            span: Some(&pred.span),
        }
    }
}

fn fixed_name(text: &str) -> Name {
    Name::new(text).expect("element and count names are plain")
}

impl Query {
    /// The query text without comments: helpers, table, stages, projection.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for helper in self.helpers.iter() {
            out.push_str(&helper.definition());
            out.push('\n');
        }
        if !self.helpers.is_empty() {
            out.push('\n');
        }
        out.push_str(self.table.written());
        for stage in &self.stages {
            match stage {
                Stage::Where(test) => {
                    out.push_str(&format!("\n| where {}", test.to_condition("    ")));
                }
                Stage::Any(any) => out.push_str(&format!("\n| {}", any.text(""))),
            }
        }
        if !self.outputs.is_empty() {
            let mut columns = Vec::new();
            if !self
                .outputs
                .iter()
                .any(|(name, _)| name.value == "TimeGenerated")
            {
                columns.push("TimeGenerated".to_string());
            }
            for (name, value) in &self.outputs {
                let value = value.to_string();
                columns.push(if value == name.written() {
                    value
                } else {
                    format!("{} = {value}", name.written())
                });
            }
            let line = format!("\n| project {}", columns.join(", "));
            if line.len() <= 100 {
                out.push_str(&line);
            } else {
                out.push_str(&format!("\n| project {}", columns.join(",\n    ")));
            }
        } else if !self.counts.is_empty() {
            let counts: Vec<&str> = self.counts.iter().map(Name::written).collect();
            out.push_str(&format!("\n| project-away {}", counts.join(", ")));
        }
        out
    }
}

impl AnyStage {
    fn text(&self, indent: &str) -> String {
        let inner = format!("{indent}    ");
        let body = match &self.body {
            AnyBody::Test(test) => format!("summarize {} = countif({test})", self.hits.written()),
            AnyBody::Nested(nested) => format!(
                "{}\n{inner}| summarize {} = countif({} > 0)",
                nested.text(&inner),
                self.hits.written(),
                nested.hits.written()
            ),
        };
        format!(
            "mv-apply {} = {}({}) on (\n{inner}{body}\n{indent})",
            self.element.written(),
            Helper::Elements.name(),
            self.array
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Context;
    use crate::backend::kql::test_support::{json_text_mappings, json_text_rule};
    use crate::templates::Templates;

    /// The query's conditions, one per `where`, for a condition on the test table whose
    /// `doc` column holds JSON text; the error's reason when it is refused.
    fn wheres(condition: &str) -> Result<Vec<String>, String> {
        let (mappings, _dir) = json_text_mappings();
        let templates = Templates::load(None).expect("templates load");
        let cx = Context {
            mappings: &mappings,
            templates: &templates,
            corpus: None,
        };
        let rule = json_text_rule(condition);
        let source = Source::new(&rule, &cx).expect("a source");
        let query = emit(&rule, &source).map_err(|error| format!("{error:?}"))?;
        Ok(query
            .stages
            .iter()
            .map(|stage| match stage {
                Stage::Where(test) => test.to_string(),
                Stage::Any(any) => any.text(""),
            })
            .collect())
    }

    fn one(condition: &str) -> String {
        let found = wheres(condition).unwrap_or_else(|error| panic!("{condition}: {error}"));
        found.join("\n")
    }

    #[test]
    fn the_whole_column_reads_presence_and_emptiness_from_the_parsed_text() {
        assert_eq!(one("doc is_not_null"), "isnotnull(parse_json(Doc))");
        assert_eq!(one("doc is_null"), "isnull(parse_json(Doc))");
        assert_eq!(
            one("doc is_not_empty"),
            "not(is_empty_json(parse_json(Doc)))"
        );
        assert_eq!(one("doc is_empty"), "is_empty_json(parse_json(Doc))");
    }

    #[test]
    fn text_and_number_tests_on_the_whole_column_are_refused() {
        for condition in [
            "doc eq \"x\"",
            "doc ne \"x\"",
            "doc eq_cs \"{}\"",
            "doc in [\"a\", 1]",
            "doc not_in [\"a\"]",
            "doc contains \"policy\"",
            "doc startswith \"{\"",
            "doc regex 'a'",
            "doc eq 1",
            "doc gt 1",
            "doc le 1",
            "doc eq true",
        ] {
            let error = wheres(condition).expect_err(condition);
            assert!(
                error.contains("column of JSON text"),
                "{condition}: {error}"
            );
        }
    }

    #[test]
    fn fields_inside_read_the_parsed_value_like_dynamic() {
        assert_eq!(
            one("doc.policyArn endswith \":policy/Admin\""),
            "text_of(parse_json(Doc).policyArn) endswith \":policy/Admin\""
        );
        assert_eq!(
            one("doc.policyArn not_in [\"a\", \"b\"]"),
            "text_of(parse_json(Doc).policyArn) !in~ (\"a\", \"b\")"
        );
        assert_eq!(
            one("doc.`x-amz-acl`[0] eq_cs \"private\""),
            "text_of(parse_json(Doc)[\"x-amz-acl\"][0]) == \"private\""
        );
        assert_eq!(
            one("doc.a.b ne \"\""),
            "not(has_text(parse_json(Doc).a.b)) or text_of(parse_json(Doc).a.b) !~ \"\""
        );
        assert_eq!(
            one("doc.count gt 9"),
            "number_of(parse_json(Doc)[\"count\"]) > 9"
        );
        assert_eq!(
            one("not (doc.count gt 9)"),
            "isnull(number_of(parse_json(Doc)[\"count\"])) or \
             number_of(parse_json(Doc)[\"count\"]) <= 9"
        );
        assert_eq!(
            one("doc.policy regex '^a'"),
            "text_of(parse_json(Doc).policy) matches regex \"(?i)^a\""
        );
        assert_eq!(one("doc.policy is_null"), "isnull(parse_json(Doc).policy)");
        assert_eq!(
            one("doc.policy is_not_empty"),
            "not(is_empty_json(parse_json(Doc).policy))"
        );
    }

    #[test]
    fn elements_of_the_parsed_value_are_counted() {
        assert_eq!(
            wheres("doc[*].type eq \"AWS::S3::Object\"").expect("compiles"),
            vec![
                "mv-apply elem1 = elements(parse_json(Doc)) on (\n    summarize hits1 = \
                 countif(text_of(elem1.type) =~ \"AWS::S3::Object\")\n)",
                "hits1 > 0",
            ]
        );
        assert_eq!(
            wheres("doc.items[*] ne \"x\"").expect("compiles")[1],
            "hits1 == 0"
        );
    }

    #[test]
    fn a_plain_string_column_still_has_no_fields() {
        let error = wheres("name.x eq \"a\"").expect_err("refused");
        assert!(error.contains("holds no JSON"), "{error}");
    }
}

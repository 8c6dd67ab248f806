//! The catalog page: the rule as a Markdown document in the shape of a detection catalog
//! entry (title, description, ATT&CK table, rule body, condition, exclusions, indicators,
//! output fields).

use serde::Serialize;

use super::context::RuleView;
use super::{Artifact, Backend, CompileError, Context};
use crate::explain::{Row, exclusions, indicators};
use crate::rule::Rule;

pub struct PageBackend;

#[derive(Serialize)]
struct PageView<'a> {
    rule: RuleView,
    /// Tactic name to its techniques, in first-seen order.
    tactics: Vec<(String, Vec<String>)>,
    body: &'a str,
    exclusions: Vec<Row>,
    indicators: Vec<Row>,
}

impl Backend for PageBackend {
    fn compile(
        &self,
        rule: &Rule,
        stem: &str,
        cx: &Context<'_>,
    ) -> Result<Vec<Artifact>, CompileError> {
        let view = RuleView::new(rule, stem);
        let mut tactics: Vec<(String, Vec<String>)> = Vec::new();
        for attack in &view.attack {
            match tactics
                .iter_mut()
                .find(|(name, _)| *name == attack.tactic_name)
            {
                Some((_, techniques)) => techniques.push(attack.technique.clone()),
                None => tactics.push((attack.tactic_name.clone(), vec![attack.technique.clone()])),
            }
        }
        let page = PageView {
            tactics,
            body: rule.text.trim_end(),
            exclusions: exclusions(&rule.ast),
            indicators: match cx.corpus {
                Some(corpus) => corpus.count(&rule.meta.rule_id, indicators(&rule.ast)),
                None => indicators(&rule.ast),
            },
            rule: view,
        };
        let content = cx
            .templates
            .render("page/rule.md", &page)
            .map_err(CompileError::Render)?;
        Ok(vec![Artifact {
            path: format!("{stem}.md").into(),
            content,
        }])
    }
}

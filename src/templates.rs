//! The minijinja templates that turn compiled queries into rule artifacts.
//!
//! Templates live in `templates/<target>/`, are embedded in the binary, and can be replaced
//! one by one from a directory (`--templates DIR`, same layout). Undefined variables are
//! errors, and all escaping is done by the Rust filters registered here, never in template
//! text.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::backend::escape;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, as errors name it: `templates/<name>` for a built-in
    /// one, the file's own path for an override.
    origins: BTreeMap<String, String>,
    /// Templates that failed to parse, with their error: only the targets that render them
    /// fail, so one broken override does not stop the others.
    broken: BTreeMap<String, String>,
}

impl Templates {
    /// The embedded templates, with any file under `overrides` replacing its namesake.
    pub fn load(overrides: Option<&Path>) -> Result<Self, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Escaping is the filters' job; minijinja would otherwise JSON-escape every value
        // written into a `.yml` or `.json` template.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let syntax = SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|error| format!("template syntax settings: {error}"))?;
        env.set_syntax(syntax);
        escape::register_filters(&mut env);
        let mut templates = Self {
            env,
            origins: BTreeMap::new(),
            broken: BTreeMap::new(),
        };

        for file in all_files(&EMBEDDED) {
            let name = file.path().to_string_lossy().replace('\\', "/");
            let source = file.contents_utf8().unwrap_or_default().to_string();
            let origin = format!("templates/{name}");
            templates.add(name, origin, source);
        }
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                return Err(format!("{}: no such templates directory", dir.display()));
            }
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry =
                    entry.map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let name = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let name = name.to_string_lossy().replace('\\', "/");
                if EMBEDDED.get_file(&name).is_none() {
                    return Err(format!(
                        "{}: no built-in template is named `{name}`; an override replaces the \
                         template at the same path under templates/",
                        entry.path().display()
                    ));
                }
                let source = std::fs::read_to_string(entry.path())
                    .map_err(|error| format!("cannot read {}: {error}", entry.path().display()))?;
                templates.add(name, entry.path().display().to_string(), source);
            }
        }
        Ok(templates)
    }

    fn add(&mut self, name: String, origin: String, source: String) {
        self.origins.insert(name.clone(), origin);
        self.broken.remove(&name);
        if let Err(error) = self.env.add_template_owned(name.clone(), source.clone()) {
            let message = self.describe(&error, Some(&source));
            self.broken.insert(name, message);
        }
    }

    /// Renders `name` with `context`; the error names the template, line and problem.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, String> {
        if let Some(message) = self.broken.get(name) {
            return Err(message.clone());
        }
        let template = self
            .env
            .get_template(name)
            .map_err(|error| self.describe(&error, None))?;
        template.render(Serde(context)).map_err(|error| {
            let source = error
                .name()
                .and_then(|failing| self.env.get_template(failing).ok())
                .map(|failing| failing.source().to_string());
            self.describe(&error, source.as_deref())
        })
    }

    /// `template templates/x.j2, line 3, column 8: undefined value (in x.y)`, naming an
    /// override by its own path.
    fn describe(&self, error: &minijinja::Error, source: Option<&str>) -> String {
        let mut text = String::from("template");
        if let Some(name) = error.name() {
            let origin = self.origins.get(name).cloned();
            text.push(' ');
            text.push_str(&origin.unwrap_or_else(|| format!("templates/{name}")));
        }
        if let Some(line) = error.line() {
            text.push_str(&format!(", line {line}"));
            let column = source.zip(error.range()).map(|(source, range)| {
                let line_start = source[..range.start.min(source.len())]
                    .rfind('\n')
                    .map_or(0, |newline| newline + 1);
                source[line_start..range.start.min(source.len())]
                    .chars()
                    .count()
                    + 1
            });
            if let Some(column) = column {
                text.push_str(&format!(", column {column}"));
            }
        }
        text.push_str(&format!(": {}", error.kind()));
        if let Some(detail) = error.detail() {
            text.push_str(&format!(" ({detail})"));
        }
        text
    }
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

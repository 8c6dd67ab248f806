//! The minijinja templates that turn compiled queries into rule artifacts.
//!
//! Templates live in `templates/<target>/`, are embedded in the binary, and can be replaced
//! one by one from a directory (`--templates DIR`, same layout). Undefined variables are
//! errors, and all escaping is done by the Rust filters registered here, never in template
//! text.

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
            .map_err(|error| describe(&error))?;
        env.set_syntax(syntax);
        escape::register_filters(&mut env);

        for file in all_files(&EMBEDDED) {
            let name = file.path().to_string_lossy().replace('\\', "/");
            let source = file.contents_utf8().unwrap_or_default().to_string();
            add(&mut env, name, source)?;
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
                add(&mut env, name, source)?;
            }
        }
        Ok(Self { env })
    }

    /// Renders `name` with `context`; the error names the template, line and problem.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|error| describe(&error))?;
        template
            .render(Serde(context))
            .map_err(|error| describe(&error))
    }
}

fn add(env: &mut Environment<'static>, name: String, source: String) -> Result<(), String> {
    env.add_template_owned(name, source)
        .map_err(|error| describe(&error))
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

/// `template templates/x.j2, line 3: undefined value (in x.y)`.
fn describe(error: &minijinja::Error) -> String {
    let mut text = String::from("template");
    if let Some(name) = error.name() {
        text.push_str(&format!(" templates/{name}"));
    }
    if let Some(line) = error.line() {
        text.push_str(&format!(", line {line}"));
    }
    text.push_str(&format!(": {}", error.kind()));
    if let Some(detail) = error.detail() {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

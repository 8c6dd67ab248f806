//! The check report for people (caret reports), for GitHub Actions (workflow annotations on
//! the pull request) and as JUnit XML.

use std::fmt::Write as _;

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use super::{Level, Report};

pub fn render_human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&finding.rendered);
    }
    let notes = report
        .findings
        .iter()
        .filter(|finding| finding.level == Level::Note)
        .count();
    let _ = writeln!(
        out,
        "checked {} rule files: {} errors, {notes} known limits",
        report.rules,
        report.errors()
    );
    out
}

/// One `::error` or `::notice` workflow command per finding.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match finding.level {
            Level::Error => "error",
            Level::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            property(&finding.file),
            finding.line,
            finding.column,
            property(&format!("ruleport {}", finding.kind)),
            data(&finding.message)
        );
    }
    out
}

/// Escapes a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// JUnit XML: a test suite per rule, a test case per check.
pub fn render_junit(report: &Report) -> Result<String, String> {
    let mut suites: Vec<(&str, Vec<&super::Case>)> = Vec::new();
    for case in &report.cases {
        match suites.iter_mut().find(|(name, _)| *name == case.suite) {
            Some((_, cases)) => cases.push(case),
            None => suites.push((&case.suite, vec![case])),
        }
    }
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let failures = report
        .cases
        .iter()
        .filter(|case| case.failure.is_some())
        .count();
    let write = |writer: &mut Writer<Vec<u8>>, event: Event<'_>| {
        writer
            .write_event(event)
            .map_err(|error| format!("cannot write JUnit XML: {error}"))
    };
    let total = report.cases.len().to_string();
    let failed = failures.to_string();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "ruleport check"));
    root.push_attribute(("tests", total.as_str()));
    root.push_attribute(("failures", failed.as_str()));
    write(&mut writer, Event::Start(root))?;
    for (name, cases) in &suites {
        let tests = cases.len().to_string();
        let failures = cases
            .iter()
            .filter(|case| case.failure.is_some())
            .count()
            .to_string();
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", *name));
        suite.push_attribute(("tests", tests.as_str()));
        suite.push_attribute(("failures", failures.as_str()));
        write(&mut writer, Event::Start(suite))?;
        for case in cases {
            let mut element = BytesStart::new("testcase");
            element.push_attribute(("classname", *name));
            element.push_attribute(("name", case.name.as_str()));
            match &case.failure {
                None => write(&mut writer, Event::Empty(element))?,
                Some(message) => {
                    write(&mut writer, Event::Start(element))?;
                    let mut failure = BytesStart::new("failure");
                    failure.push_attribute(("message", message.lines().next().unwrap_or_default()));
                    write(&mut writer, Event::Start(failure))?;
                    write(&mut writer, Event::Text(BytesText::new(message)))?;
                    write(&mut writer, Event::End(BytesEnd::new("failure")))?;
                    write(&mut writer, Event::End(BytesEnd::new("testcase")))?;
                }
            }
        }
        write(&mut writer, Event::End(BytesEnd::new("testsuite")))?;
    }
    write(&mut writer, Event::End(BytesEnd::new("testsuites")))?;
    let body = String::from_utf8(writer.into_inner()).map_err(|error| error.to_string())?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}\n"
    ))
}

//! The HTML certification page: one self-contained file (inline CSS and a
//! few lines of inline JS, nothing fetched) with the function × runtime
//! matrix coloured by verdict. A cell links to the list of runs behind it
//! (shown with CSS `:target`, so it works without JS), and every run that
//! did not pass links to its evidence, a `<details>` block with the diff.
//!
//! The page's script sets `data-matrix-cells` on `<body>` once it has run,
//! and `data-js-error` if any script failed: the browser test reads both.

use crate::model::verdict::Verdict;
use crate::render::certificate::{self, Certificate};
use crate::render::cross_abi::{self, Comparison};
use crate::render::markdown;
use crate::render::matrix::Matrix;
use crate::render::summary::{Tally, escape};
use std::fmt::Write as _;

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 80em; padding: 0 1em; color: #1f2328; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; }
#matrix td.cell { text-align: center; min-width: 6em; }
#matrix td.cell a { color: inherit; text-decoration: none; display: block; }
#matrix tr.group th { background: #f6f8fa; }
.v-pass { background: #dafbe1; }
.v-diverge { background: #fff1c2; }
.v-unsupported { background: #eaeef2; }
.v-fail, .v-crash, .v-timeout { background: #ffcecb; }
.legend span { padding: 0.1em 0.6em; margin-right: 0.5em; border: 1px solid #d0d7de; }
.runs { display: none; border: 2px solid #0969da; padding: 0.5em 1em; margin: 1em 0; }
.runs:target { display: block; }
.runs li { padding: 0.1em 0.4em; margin: 0.1em 0; list-style: none; }
details { border: 1px solid #d0d7de; margin: 0.4em 0; padding: 0.3em 0.6em; }
details:target { outline: 2px solid #0969da; }
summary { cursor: pointer; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 12px; }
pre .add { color: #116329; background: #dafbe1; display: block; }
pre .del { color: #82071e; background: #ffebe9; display: block; }
pre .hunk { color: #8250df; display: block; }
"#;

const SCRIPT: &str = r##"
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  var cells = document.querySelectorAll("#matrix td.cell").length;
  document.body.setAttribute("data-matrix-cells", String(cells));
})();
"##;

/// `reports/index.html`: the matrix of every runtime.
pub fn index(certificates: &[Certificate]) -> String {
    page("WASI compatibility matrix", certificates, "", None)
}

/// A runtime's `report.html`: its matrix column, the scenarios whose p1,
/// adapter and 0.2 paths differ, and its evidence.
pub fn report(c: &Certificate) -> String {
    page(
        &format!("WASI conformance: {}", c.runtime),
        std::slice::from_ref(c),
        "../",
        cross_abi::compare(c),
    )
}

/// The page for `certificates` (one column each) titled `title`; `up` is
/// the path from the page to `reports/` (`""` or `"../"`), for links to
/// each runtime's own page.
fn page(
    title: &str,
    certificates: &[Certificate],
    up: &str,
    comparison: Option<Comparison>,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n\
         <script>window.addEventListener(\"error\", function (e) {{ document.documentElement.setAttribute(\"data-js-error\", String(e.message)); }});</script>\n\
         </head>\n<body>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    runtimes_table(&mut h, certificates, up);
    let _ = writeln!(
        h,
        "<p class=\"legend\">Each cell: passing runs / runs of the cases that call the function. \
         <span class=\"v-pass\">all pass</span><span class=\"v-diverge\">a divergence</span>\
         <span class=\"v-fail\">a failure, crash or timeout</span><span class=\"v-unsupported\">unsupported</span> \
         Click a cell for its runs, a run for its diff.</p>"
    );
    let matrix = Matrix::new(certificates);
    matrix_table(&mut h, certificates, &matrix);
    if !matrix.uncovered.is_empty() {
        let names: Vec<String> = matrix
            .uncovered
            .iter()
            .map(|f| format!("<code>{f}</code>"))
            .collect();
        let _ = writeln!(
            h,
            "<p>Preview1 functions no case calls yet: {}.</p>",
            names.join(", ")
        );
    }
    if let Some(comparison) = comparison {
        cross_abi(&mut h, certificates, &comparison);
    }
    cell_panels(&mut h, certificates, &matrix);
    evidence(&mut h, certificates);
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    h
}

fn runtimes_table(h: &mut String, certificates: &[Certificate], up: &str) {
    h.push_str("<ul id=\"headlines\">\n");
    for c in certificates {
        let _ = writeln!(h, "<li>{}</li>", escape(&markdown::must_headline(c)));
    }
    h.push_str("</ul>\n");
    h.push_str(
        "<table id=\"runtimes\">\n<tr><th>runtime</th><th>version</th><th>ABIs</th><th>runs</th>",
    );
    for verdict in Verdict::ALL {
        let _ = write!(h, "<th>{verdict}</th>");
    }
    h.push_str("<th>pass rate</th></tr>\n");
    for c in certificates {
        let tally = Tally::of(c.records());
        let abis: Vec<&str> = c.abis.iter().map(|a| a.name()).collect();
        let _ = write!(
            h,
            "<tr><th><a href=\"{up}{dir}/report.html\">{name}</a></th><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
            escape(&c.version),
            abis.join(", "),
            tally.total(),
            dir = escape(&c.dir),
            name = escape(&c.runtime),
        );
        for verdict in Verdict::ALL {
            let _ = write!(h, "<td class=\"num\">{}</td>", tally.count(verdict));
        }
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", tally.pass_rate());
    }
    h.push_str("</table>\n");
}

fn matrix_table(h: &mut String, certificates: &[Certificate], matrix: &Matrix) {
    h.push_str("<table id=\"matrix\">\n<thead><tr><th>function</th>");
    for c in certificates {
        let _ = write!(h, "<th>{}</th>", escape(&c.runtime));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let mut group = None;
    for row in &matrix.rows {
        if group != Some(row.group) {
            group = Some(row.group);
            let name = row.group.title();
            let _ = writeln!(
                h,
                "<tr class=\"group\"><th colspan=\"{}\">{name}</th></tr>",
                certificates.len() + 1
            );
        }
        let _ = write!(h, "<tr><th><code>{}</code></th>", escape(&row.function));
        for (i, c) in certificates.iter().enumerate() {
            let tally = row.tally(i);
            match tally.worst() {
                None => h.push_str("<td></td>"),
                Some(worst) => {
                    let _ = write!(
                        h,
                        "<td class=\"cell v-{worst}\" title=\"{worst}\"><a href=\"#{}\">{}/{}</a></td>",
                        escape(&cell_id(&row.function, &c.runtime)),
                        tally.count(Verdict::Pass),
                        tally.total()
                    );
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The scenarios whose paths give different results, each verdict linked
/// to its evidence.
fn cross_abi(h: &mut String, certificates: &[Certificate], comparison: &Comparison) {
    let runtime = certificates.first().map_or("", |c| c.runtime.as_str());
    let _ = writeln!(
        h,
        "<h2 id=\"cross-abi\">The same scenario through p1, the adapter and 0.2</h2>\n<p>{} {} of the {} scenarios that ran on more than one path give different results.</p>",
        escape(cross_abi::INTRO),
        comparison.differing.len(),
        comparison.paired
    );
    if comparison.differing.is_empty() {
        return;
    }
    h.push_str("<table id=\"cross-abi-table\">\n<tr><th>scenario</th>");
    for abi in cross_abi::PATHS {
        let _ = write!(h, "<th>{}</th>", escape(markdown::abi_label(abi)));
    }
    h.push_str("<th>first difference</th></tr>\n");
    for scenario in &comparison.differing {
        let _ = write!(
            h,
            "<tr><th><code>{}</code></th>",
            escape(&scenario.scenario)
        );
        for abi in cross_abi::PATHS {
            match scenario.path(abi) {
                Some(path) if path.verdict == Verdict::Pass => {
                    h.push_str("<td class=\"v-pass\">pass</td>");
                }
                Some(path) => {
                    let _ = write!(
                        h,
                        "<td class=\"v-{v}\"><a href=\"#{}\">{v}</a></td>",
                        escape(&run_id(runtime, &path.case, abi.name())),
                        v = path.verdict
                    );
                }
                None => h.push_str("<td>—</td>"),
            }
        }
        let differences: Vec<String> = scenario
            .differences()
            .into_iter()
            .map(|(abis, text)| {
                format!("{}: <code>{}</code>", cross_abi::names(&abis), escape(text))
            })
            .collect();
        let _ = writeln!(h, "<td>{}</td></tr>", differences.join("<br>"));
    }
    h.push_str("</table>\n");
}

fn cell_panels(h: &mut String, certificates: &[Certificate], matrix: &Matrix) {
    for row in &matrix.rows {
        for (c, runs) in certificates.iter().zip(&row.cells) {
            if runs.is_empty() {
                continue;
            }
            let _ = writeln!(
                h,
                "<div class=\"runs\" id=\"{}\"><h3><code>{}</code> on {}</h3><ul>",
                escape(&cell_id(&row.function, &c.runtime)),
                escape(&row.function),
                escape(&c.runtime)
            );
            for run in runs {
                let r = &run.record;
                let name = format!("{} ({})", r.case, r.abi);
                if r.verdict == Verdict::Pass {
                    let _ = writeln!(h, "<li class=\"v-pass\">{}: pass</li>", escape(&name));
                } else {
                    let _ = writeln!(
                        h,
                        "<li class=\"v-{v}\"><a href=\"#{}\">{}</a>: {v}</li>",
                        escape(&run_id(&c.runtime, &r.case, r.abi.name())),
                        escape(&name),
                        v = r.verdict
                    );
                }
            }
            h.push_str("</ul></div>\n");
        }
    }
}

fn evidence(h: &mut String, certificates: &[Certificate]) {
    h.push_str("<h2>Runs that did not pass</h2>\n");
    let mut any = false;
    for c in certificates {
        for r in c.records().filter(|r| r.verdict != Verdict::Pass) {
            any = true;
            let known = match (&r.reason, r.as_expected()) {
                (Some(reason), true) => format!(" (known: {reason})"),
                _ => format!(" (not recorded; recorded verdict: {})", r.expected),
            };
            let _ = write!(
                h,
                "<details id=\"{}\" class=\"v-{v}\"><summary>{}: <code>{}</code> ({}): {v}{}</summary>\n<pre>",
                escape(&run_id(&c.runtime, &r.case, r.abi.name())),
                escape(&c.runtime),
                escape(&r.case),
                r.abi,
                escape(&known),
                v = r.verdict
            );
            for line in certificate::evidence(&r.detail).lines() {
                let class = if line.starts_with("@@") {
                    Some("hunk")
                } else if line.starts_with('+') && !line.starts_with("+++") {
                    Some("add")
                } else if line.starts_with('-') && !line.starts_with("---") {
                    Some("del")
                } else {
                    None
                };
                match class {
                    Some(class) => {
                        let _ = write!(h, "<span class=\"{class}\">{}</span>", escape(line));
                    }
                    None => {
                        let _ = writeln!(h, "{}", escape(line));
                    }
                }
            }
            h.push_str("</pre></details>\n");
        }
    }
    if !any {
        h.push_str("<p>None.</p>\n");
    }
}

fn cell_id(function: &str, runtime: &str) -> String {
    format!("cell:{runtime}:{function}")
}

fn run_id(runtime: &str, case: &str, abi: &str) -> String {
    format!("run:{runtime}:{case}:{abi}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::certificate::tests::sample;

    /// The page's text without its constant style and script: what a
    /// reader sees, one element per line.
    fn text_of(page: &str) -> String {
        let body = &page[page.find("<body").expect("a body")..];
        body.replace('>', ">\n")
    }

    #[test]
    fn a_runtime_page_lists_the_scenarios_whose_paths_differ() {
        let page = report(&sample("rt"));
        assert!(page.contains("<h2 id=\"cross-abi\">"), "{page}");
        assert!(page.contains(
            "<tr><th><code>fd/read</code></th><td class=\"v-pass\">pass</td><td>—</td>\
             <td class=\"v-diverge\"><a href=\"#run:rt:p2-fs/fd/read:p2\">diverge</a></td>"
        ));
        assert!(page.contains("<details id=\"run:rt:p2-fs/fd/read:p2\""));
        assert!(!index(&[sample("rt")]).contains("cross-abi"));
    }

    #[test]
    fn the_matrix_page() {
        let page = index(&[sample("rt"), sample("other")]);
        insta::assert_snapshot!(text_of(&page));
    }
}

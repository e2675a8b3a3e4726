//! The Ruby frontend's site classification: what each candidate call, `ENV`
//! lookup or `GITALY_` hash pair is — toggle, check, Flipper call, env var,
//! configuration entry, test stub — and the references it yields.

use super::facts::{argument_pairs, first_arg, keyword_arg, Facts};
use super::names::Name;
use super::{FLIPPER_CHECKS, FLIPPER_SETS};
use crate::frontend::{climb, env_flag, RawRef, Shape};
use crate::model::{CallForm, Form, Kind, Status};
use tree_sitter::Node;

/// The references of a file's sites, as they are found.
#[derive(Default)]
pub(super) struct Found {
    pub(super) refs: Vec<RawRef>,
    /// Env reads the code does not use as a switch: flags only if their
    /// name is known (see `resolve::known_mentions`).
    pub(super) mentions: Vec<RawRef>,
    /// The references whose name is a shared example's parameter:
    /// (index in `refs`, example, parameter index).
    shared: Vec<(usize, String, usize)>,
}

impl Found {
    pub(super) fn push(&mut self, r: RawRef) {
        self.refs.push(r);
    }

    /// A reference named by parameter `index` of the shared example `example`.
    fn push_shared(&mut self, r: RawRef, example: String, index: usize) {
        self.shared.push((self.refs.len(), example, index));
        self.refs.push(r);
    }

    /// The references in source order (by span; stable), each with the shared
    /// example's parameter its name is.
    pub(super) fn in_source_order(self) -> (Vec<RawRef>, Vec<Option<(String, usize)>>) {
        let mut shared: Vec<Option<(String, usize)>> = vec![None; self.refs.len()];
        for (i, example, index) in self.shared {
            shared[i] = Some((example, index));
        }
        let mut pairs: Vec<(RawRef, Option<(String, usize)>)> =
            self.refs.into_iter().zip(shared).collect();
        pairs.sort_by_key(|(r, _)| (r.span.start_byte, r.span.end_byte));
        pairs.into_iter().unzip()
    }
}

impl<'t, 's> Facts<'t, 's>
where
    's: 't,
{
    /// Shell's toggle: `if MIGRATED_COMMANDS.key?(executable) && @gitaly`, where
    /// the constant's keys are git commands of the command table. One toggle per
    /// command, attributed through the command's endpoint.
    pub(super) fn migrated_commands(&self, node: Node, receiver: Option<Node>, out: &mut Found) {
        let Some(keys) = receiver
            .filter(|r| r.kind() == "constant")
            .and_then(|r| self.const_keys.get(self.text(r)))
        else {
            return;
        };
        let commands: Vec<(&String, &String)> = keys
            .iter()
            .filter_map(|k| {
                self.opts
                    .commands
                    .iter()
                    .find(|(c, _)| c == k)
                    .map(|(_, e)| (k, e))
            })
            .collect();
        if commands.is_empty() {
            return;
        }
        // The toggle is the conditional the lookup stands in, joined with a
        // check of the Gitaly payload (`&& @gitaly`): without one, the command
        // always goes to Gitaly and there is nothing to toggle.
        if node.parent().is_none_or(|p| p.kind() != "binary") {
            return;
        }
        let mut site = node;
        for p in climb(node) {
            if matches!(
                p.kind(),
                "if" | "unless" | "conditional" | "if_modifier" | "unless_modifier"
            ) {
                break;
            }
            if !matches!(
                p.kind(),
                "binary" | "parenthesized_statements" | "unary" | "not"
            ) {
                return;
            }
            site = p;
        }
        let Some(cond) = site.parent() else { return };
        if cond.child_by_field_name("condition") != Some(site) {
            return;
        }
        let (enabled, legacy) = self.condition_branches(node);
        for (_, endpoint) in commands {
            out.push(RawRef {
                enabled_branch: enabled,
                legacy_branch: legacy,
                shape: Shape::Conditional(cond.byte_range()),
                endpoints: vec![endpoint.clone()],
                ..RawRef::direct(
                    String::new(),
                    Kind::Toggle,
                    CallForm::MigratedCommands,
                    self.map.span(cond),
                    Status::None,
                )
            });
        }
    }

    /// Classifies one candidate node and pushes its references.
    pub(super) fn extract_site(&mut self, node: Node<'t>, out: &mut Found) {
        if node.kind() == "pair" {
            return self.config_pair(node, out);
        }
        if node.kind() == "element_reference" {
            // ENV['GITALY_X']
            if let Some(arg) = node.named_child(1) {
                self.env_ref(node, arg, out);
            }
            return;
        }
        let method = node
            .child_by_field_name("method")
            .map(|m| self.text(m))
            .unwrap_or("");
        let receiver = node.child_by_field_name("receiver");
        let recv = receiver.map(|r| self.text(r)).unwrap_or("");
        let is_gitaly_client = |r: &str| r == "GitalyClient" || r.ends_with("::GitalyClient");
        let (kind, call) = match method {
            "gitaly_migrate" => (Kind::Toggle, CallForm::GitalyMigrate),
            "migrate" if is_gitaly_client(recv) => (Kind::Toggle, CallForm::Migrate),
            "feature_enabled?"
                if receiver.is_none() || is_gitaly_client(recv) || recv == "described_class" =>
            {
                (Kind::Check, CallForm::FeatureEnabled)
            }
            "fetch" | "key?" | "has_key?" | "include?" if recv == "ENV" => {
                if let Some(arg) = first_arg(node) {
                    self.env_ref(node, arg, out);
                }
                return;
            }
            // gitaly-ruby: `repository.feature_enabled?('x')` on any receiver.
            "feature_enabled?" if self.gitaly_ruby => (Kind::Check, CallForm::FeatureEnabled),
            "key?" | "has_key?" | "include?" => return self.migrated_commands(node, receiver, out),
            "with" => return self.rspec_stub(node, receiver, out),
            "stub_feature_flags" => return self.stub_feature_flags(node, out),
            m if (recv == "Feature" || recv == "::Feature")
                && (FLIPPER_CHECKS.contains(&m) || FLIPPER_SETS.contains(&m)) =>
            {
                let kind = if FLIPPER_SETS.contains(&m) {
                    Kind::Set
                } else {
                    Kind::Check
                };
                return self.flipper(node, kind, CallForm::Flipper, true, out);
            }
            m if recv.ends_with("Feature::Gitaly") && FLIPPER_CHECKS.contains(&m) => {
                return self.flipper(node, Kind::Check, CallForm::FlipperGitaly, false, out);
            }
            m if self.opts.toggle_methods.iter().any(|t| t == m) => {
                (Kind::Toggle, CallForm::ToggleMethod)
            }
            _ => return,
        };
        let Some(arg) = first_arg(node) else { return };
        let status_arg = keyword_arg(node, "status", self.src);
        let written = match status_arg {
            None => Status::Default,
            Some(s) => self.status_constant(s).unwrap_or(Status::Unknown),
        };
        let ((enabled, legacy), shape) = if kind == Kind::Toggle {
            (self.block_branches(node), self.toggle_shape(node))
        } else {
            (self.condition_branches(node), self.check_shape(node))
        };
        let span = self.map.span(node);
        let mk = |flag: String, form: Form, status: Status| RawRef {
            enabled_branch: enabled,
            legacy_branch: legacy,
            shape: shape.clone(),
            ..RawRef::new(flag, kind, form, call, span, status)
        };
        match self.resolve_name(arg) {
            Name::Wrapper => {}
            Name::Dynamic => out.push(mk(self.text(arg).to_string(), Form::Dynamic, written)),
            Name::Static(names) => {
                for (n, s) in names {
                    out.push(mk(n, Form::Call(call), pick_status(written, s)));
                }
            }
            Name::Indirect(names) => {
                for (n, s) in names {
                    out.push(mk(n, Form::Indirect, pick_status(written, s)));
                }
            }
            Name::SharedParam { example, index } => {
                let r = mk(self.text(arg).to_string(), Form::Dynamic, written);
                out.push_shared(r, example, index);
            }
        }
    }

    /// Omnibus `gitlab.rb`: `gitlab_rails['env'] = { 'GITALY_X' => '1' }`.
    pub(super) fn config_pair(&self, pair: Node, out: &mut Found) {
        let Some(var) = pair
            .child_by_field_name("key")
            .and_then(|k| self.literal(k))
        else {
            return;
        };
        let Some(flag) = env_flag(&var, &self.opts.env_ignore, true) else {
            return;
        };
        // A setting is a literal; `'GITALY_VERSION' => read_version` is not a toggle.
        let Some(v) = pair.child_by_field_name("value") else {
            return;
        };
        let value = match v.kind() {
            "integer" | "true" | "false" | "nil" => Some(self.text(v).to_string()),
            _ => match self.literal(v) {
                Some(l) => Some(l),
                None => return,
            },
        };
        // A switch value (`'1'`, `'0'`, `'true'`, `'false'`) makes it a flag;
        // a path or a URL (`'GITALY_GITLAB_SHELL_DIR' => '/srv/shell'`) is a
        // setting, a flag only if its name is known.
        let switch = value.as_deref().is_some_and(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "1" | "0" | "true" | "false"
            )
        });
        let r = RawRef {
            value,
            ..RawRef::direct(
                flag,
                Kind::Config,
                CallForm::EnvHash,
                self.map.span(pair),
                Status::None,
            )
        };
        if switch {
            out.push(r);
        } else {
            out.mentions.push(r);
        }
    }

    /// `ENV['GITALY_X']`, `ENV.fetch("GITALY_X")`: a reference when the
    /// code uses it as a switch ([`Self::env_switch`]), else a mention (a
    /// flag only if its name is known: settings such as `GITALY_SOCKET`
    /// or `GITALY_REPO_URL` are not flags).
    pub(super) fn env_ref(&self, node: Node, arg: Node, out: &mut Found) {
        let (flag, form) = match self.literal(arg) {
            Some(var) => match env_flag(&var, &self.opts.env_ignore, false) {
                Some(flag) => (flag, Form::Call(CallForm::Env)),
                None => return,
            },
            // `ENV["GITALY_#{feature.upcase}"]` in the body of a
            // `def feature_enabled?(feature)` wrapper is the wrapper.
            None if arg.kind() == "string"
                && !self.in_wrapper(arg)
                && self
                    .text(arg)
                    .get(1..)
                    .is_some_and(|t| t.starts_with("GITALY_")) =>
            {
                (self.text(arg).to_string(), Form::Dynamic)
            }
            None => return,
        };
        let r = RawRef::new(
            flag,
            Kind::Env,
            form,
            CallForm::Env,
            self.map.span(node),
            Status::None,
        );
        if form == Form::Dynamic || self.env_switch(node) {
            out.push(r);
        } else {
            out.mentions.push(r);
        }
    }

    /// Whether an env read is used as a boolean switch: `ENV.key?(…)`;
    /// compared with `'1'`, `'0'`, `'true'` or `'false'`; the condition of an
    /// `if`, `unless`, ternary or loop (through `!`, `&&`, `||`, parentheses,
    /// `.to_s`, `.downcase`); `.present?`, `.blank?`, `.nil?`;
    /// `%w[1 true].include?(ENV[…])`;
    /// `to_boolean(ENV[…])`; `ENV['X'] = '1'`.
    fn env_switch(&self, node: Node) -> bool {
        let boolean = |n: Node| {
            let t = self.text(n).trim_matches(|c| c == '\'' || c == '"');
            matches!(n.kind(), "string" | "true" | "false" | "integer")
                && matches!(t, "1" | "0" | "true" | "false")
        };
        if node.kind() == "call" {
            let method = node.child_by_field_name("method").map(|m| self.text(m));
            if matches!(method, Some("key?" | "has_key?" | "include?")) {
                return true;
            }
        }
        let mut cur = node;
        for _ in 0..16 {
            let Some(p) = cur.parent() else { return false };
            let field = |name: &str| p.child_by_field_name(name);
            let is = |n: Option<Node>| n.is_some_and(|n| n.id() == cur.id());
            match p.kind() {
                "parenthesized_statements" => {}
                "unary" if matches!(field("operator").map(|o| self.text(o)), Some("!" | "not")) => {
                }
                "binary" => match field("operator").map(|o| self.text(o)) {
                    Some("==" | "!=" | "===") => {
                        let other = if is(field("left")) {
                            field("right")
                        } else {
                            field("left")
                        };
                        return other.is_some_and(boolean);
                    }
                    Some("&&" | "||" | "and" | "or") => {}
                    _ => return false,
                },
                "call" if is(field("receiver")) => match field("method").map(|m| self.text(m)) {
                    Some("present?" | "blank?" | "nil?") => return true,
                    Some("to_s" | "downcase" | "strip") => {}
                    _ => return false,
                },
                "argument_list" => {
                    let Some(call) = p.parent() else { return false };
                    let method = call.child_by_field_name("method").map(|m| self.text(m));
                    let receiver = call.child_by_field_name("receiver");
                    return match method {
                        Some("to_boolean") => true,
                        Some("include?") => receiver.is_some_and(|r| {
                            let mut c = r.walk();
                            let words: Vec<Node> = r.named_children(&mut c).collect();
                            !words.is_empty()
                                && words.iter().all(|w| {
                                    let t = self.text(*w).trim_matches(|c| c == '\'' || c == '"');
                                    matches!(t, "1" | "0" | "true" | "false" | "yes" | "no")
                                })
                        }),
                        _ => false,
                    };
                }
                "if" | "unless" | "if_modifier" | "unless_modifier" | "conditional" | "while"
                | "until" | "while_modifier" | "until_modifier" | "elsif" => {
                    return is(field("condition"));
                }
                "assignment" => return is(field("left")) && field("right").is_some_and(boolean),
                _ => return false,
            }
            cur = p;
        }
        false
    }

    /// `Feature.enabled?(:gitaly_x)` (`prefixed`) or `Feature::Gitaly.enabled?(:x)`.
    pub(super) fn flipper(
        &self,
        node: Node<'t>,
        kind: Kind,
        call: CallForm,
        prefixed: bool,
        out: &mut Found,
    ) {
        let Some(arg) = first_arg(node) else { return };
        let (flag, form) = match self.literal(arg) {
            Some(n) if !prefixed => (n, Form::Call(call)),
            Some(n) => match n.strip_prefix("gitaly_") {
                Some(rest) if !rest.is_empty() => (rest.to_string(), Form::Call(call)),
                _ => return,
            },
            None => {
                let text = self.text(arg);
                let gitaly_dynamic =
                    !prefixed || text.get(1..).is_some_and(|t| t.starts_with("gitaly_"));
                if !gitaly_dynamic || self.in_wrapper(arg) {
                    return;
                }
                (text.to_string(), Form::Dynamic)
            }
        };
        let ((enabled, legacy), shape) = if kind == Kind::Check {
            (self.condition_branches(node), self.check_shape(node))
        } else {
            ((None, None), Shape::None)
        };
        out.push(RawRef {
            enabled_branch: enabled,
            legacy_branch: legacy,
            shape,
            ..RawRef::new(flag, kind, form, call, self.map.span(node), Status::None)
        });
    }

    /// `receive(:feature_enabled?).with(:x, ...)`.
    pub(super) fn rspec_stub(&self, node: Node<'t>, receiver: Option<Node>, out: &mut Found) {
        let Some(receive) = receiver.filter(|r| r.kind() == "call") else {
            return;
        };
        let is_receive = receive
            .child_by_field_name("method")
            .is_some_and(|m| matches!(self.text(m), "receive" | "have_received"));
        let stubbed = first_arg(receive).and_then(|a| self.literal(a));
        let target_ok = match stubbed.as_deref() {
            Some("gitaly_migrate") => true,
            // gitaly-ruby: `allow(repository).to receive(:feature_enabled?).with(…)`.
            Some("feature_enabled?") if self.gitaly_ruby => true,
            Some("feature_enabled?" | "migrate") => self
                .stub_target(node)
                .is_some_and(|t| t.contains("GitalyClient")),
            _ => false,
        };
        if !is_receive || !target_ok {
            return;
        }
        let Some(arg) = first_arg(node) else { return };
        let status = match keyword_arg(node, "status", self.src) {
            None => Status::Default,
            Some(s) => self.status_constant(s).unwrap_or(Status::Unknown),
        };
        let span = self.map.span(node);
        let stub = |flag: String, form: Form| {
            RawRef::new(
                flag,
                Kind::TestStub,
                form,
                CallForm::RspecStub,
                span,
                status,
            )
        };
        let direct = Form::Call(CallForm::RspecStub);
        match self.resolve_name(arg) {
            Name::Static(n) => n.into_iter().for_each(|(f, _)| out.push(stub(f, direct))),
            Name::Indirect(n) => n
                .into_iter()
                .for_each(|(f, _)| out.push(stub(f, Form::Indirect))),
            Name::SharedParam { example, index } => {
                let r = stub(self.text(arg).to_string(), Form::Dynamic);
                out.push_shared(r, example, index);
            }
            Name::Dynamic => out.push(stub(self.text(arg).to_string(), Form::Dynamic)),
            Name::Wrapper => {}
        }
    }

    /// The `X` of `allow(X).to receive(...).with(...)` / `expect(X)...`.
    pub(super) fn stub_target(&self, with: Node) -> Option<&'s str> {
        for node in climb(with).take(4) {
            if node.kind() == "call" {
                let m = node.child_by_field_name("method").map(|m| self.text(m));
                if matches!(m, Some("to" | "not_to" | "to_not")) {
                    let target = node.child_by_field_name("receiver")?;
                    return first_arg(target).map(|a| self.text(a));
                }
            }
        }
        None
    }

    /// `stub_feature_flags(gitaly_x: true)`: one reference per `gitaly_` key.
    pub(super) fn stub_feature_flags(&self, node: Node, out: &mut Found) {
        for pair in argument_pairs(node) {
            let Some(key) = pair.child_by_field_name("key") else {
                continue;
            };
            let name = self
                .literal(key)
                .map(|k| k.trim_end_matches(':').to_string());
            let Some(flag) = name.as_deref().and_then(|n| n.strip_prefix("gitaly_")) else {
                continue;
            };
            if flag.is_empty() {
                continue;
            }
            out.push(RawRef::direct(
                flag.to_string(),
                Kind::TestStub,
                CallForm::StubFeatureFlags,
                self.map.span(pair),
                Status::None,
            ));
        }
    }
}

/// The status of an entry: the site's own when it states one, else the table's.
pub(super) fn pick_status(written: Status, entry: Option<Status>) -> Status {
    match (written, entry) {
        (Status::Unknown, Some(s)) => s,
        (w, _) => w,
    }
}

#!/usr/bin/env python3
"""Writes a deterministic, GitLab-scale synthetic client tree for benchmarking flaglint.

usage: scripts/gen-corpus.py --out DIR [--scale K] [--seed N] [--force] [--manifest FILE]

Scale 1: ~15,000 Ruby files laid out like a Rails app (app/, lib/gitlab/, lib/api/, ee/, db/, spec/),
~2,000 Go files under workhorse/internal/, ~1,000 YAML/JSON/Markdown/.env/.sh files; about 150 MB.
Files run from 1 KB to 40 KB, a few are ~300 KB and a few nest `if`s 300 deep. About 1% of the Ruby
and Go files hold Gitaly toggles of every form flaglint knows, next to a small Go client package
(workhorse/internal/gitaly/) and lib/gitlab/gitaly_client.rb; a few config and doc files name
GITALY_X / gitaly_x; no other file contains "gitaly" in any case. flaglint.toml registers 50 of the
60 flags. K multiplies the file counts; the same seed and scale give a byte-identical tree. --force
writes into a non-empty DIR (deleting nothing); --manifest FILE writes the references the toggles
should yield (JSON list of path, kind, form, flag).
"""
import argparse
import json
import os
import random
import sys

FLAG_SPEC = """
find_commit=CommitService/FindCommit tag_names=RefService/FindAllTagNames branch_names=RefService/FindAllBranchNames
find_all_branches=RefService/FindAllBranches find_local_branches=RefService/FindLocalBranches
ref_exists=RefService/RefExists find_default_branch_name=RefService/FindDefaultBranchName
find_ref_name=RefService/FindRefName find_all_tags=RefService/FindAllTags find_branch=RefService/FindBranch
delete_refs=RefService/DeleteRefs count_commits=CommitService/CountCommits commit_stats=CommitService/CommitStats
commit_languages=CommitService/CommitLanguages last_commit_for_path=CommitService/LastCommitForPath
list_commits_by_oid=CommitService/ListCommitsByOid commits_between=CommitService/CommitsBetween
find_all_commits=CommitService/FindAllCommits raw_blame=CommitService/RawBlame tree_entry=CommitService/TreeEntry
get_tree_entries=CommitService/GetTreeEntries list_files=CommitService/ListFiles get_blob=BlobService/GetBlob
commit_is_ancestor=CommitService/CommitIsAncestor get_blobs=BlobService/GetBlobs raw_diff=DiffService/RawDiff
get_lfs_pointers=BlobService/GetLFSPointers commit_diff=DiffService/CommitDiff commit_delta=DiffService/CommitDelta
raw_patch=DiffService/RawPatch diff_stats=DiffService/DiffStats merge_base=RepositoryService/FindMergeBase
repository_size=RepositoryService/RepositorySize repository_exists=RepositoryService/RepositoryExists
garbage_collect=RepositoryService/GarbageCollect repack_full=RepositoryService/RepackFull
repack_incremental=RepositoryService/RepackIncremental fetch_remote=RepositoryService/FetchRemote
create_fork=RepositoryService/CreateFork get_archive=RepositoryService/GetArchive fsck=RepositoryService/Fsck
write_ref=RepositoryService/WriteRef is_rebase_in_progress=RepositoryService/IsRebaseInProgress
post_upload_pack=SmartHTTPService/PostUploadPack search_files_by_content=RepositoryService/SearchFilesByContent
user_create_branch=OperationService/UserCreateBranch search_files_by_name=RepositoryService/SearchFilesByName
find_license=RepositoryService/FindLicense calculate_checksum=RepositoryService/CalculateChecksum
is_squash_in_progress=RepositoryService/IsSquashInProgress user_delete_branch=OperationService/UserDeleteBranch
user_create_tag=OperationService/UserCreateTag user_merge_branch=OperationService/UserMergeBranch
user_ff_branch=OperationService/UserFFBranch user_cherry_pick=OperationService/UserCherryPick
user_revert=OperationService/UserRevert user_squash=OperationService/UserSquash
user_commit_files=OperationService/UserCommitFiles
"""
FLAGS = [tuple(p.split("=")) for p in FLAG_SPEC.split()]  # 60 (flag, "Service/Method")
REGISTERED = FLAGS[:50]  # the other 10 are unknown to the registry
STAGES = ["opt-in", "opt-out", "mandatory", "ready-for-testing"]

# Filler vocabulary: no Ruby or Go keyword, nothing that makes "gitaly" or a Gitaly endpoint's name.
WORDS = """account action activity address alert approval artifact assignee audit avatar badge batch board budget build
cache calendar cluster comment contact cursor dashboard deployment design discussion domain draft email environment
epic event export feed filter group incident instance integration invitation issue iteration job key label layout
lease limit list lock member message metric milestone mirror node note notification page permission pipeline plan
policy preference project release report request review role rule runner schedule scope secret session setting
snippet source stage state status subscription summary target task template term timelog todo token topic trigger
upload usage user variable vulnerability webhook worker""".split()
VERBS = """build check collect compute create destroy ensure execute expire fetch filter find format load merge normalize
notify parse prepare process publish refresh render resolve schedule serialize sync track transform update validate""".split()
NS = """ci projects merge_requests issues users auth import_export packages security groups notes pages members boards
releases analytics search wikis snippets clusters""".split()
GO_PKGS = """api upload lfs senddata sendfile proxy redis queueing artifacts filestore objectstore badgateway helper
secret urlprefix zipartifacts imageresizer builds channel config log git sendurl staticpages""".split()
RUBY_DIRS = [  # (directory, file-name suffix, weight); spec/ gets RSpec files
    ("app/models", "", 10), ("app/services", "_service", 12), ("app/controllers", "_controller", 6),
    ("app/workers", "_worker", 5), ("app/finders", "_finder", 2), ("app/serializers", "_entity", 3),
    ("app/helpers", "_helper", 2), ("app/graphql/types", "_type", 3), ("app/policies", "_policy", 2),
    ("lib/gitlab", "", 15), ("lib/api", "", 4), ("ee/app/models", "", 3), ("ee/lib/gitlab", "", 3),
    ("db/migrate", "", 3), ("spec/models", "_spec", 8), ("spec/services", "_spec", 8),
    ("spec/lib/gitlab", "_spec", 10), ("spec/requests/api", "_spec", 3), ("spec/features", "_spec", 3)]

# str.format templates ({{ }} are literal braces). Fields: see Gen.fields.
RUBY_HEAD = ("# frozen_string_literal: true\n\nmodule {A}s\n  class {Fn} < {C}Base\n    include {T2}Concern\n\n"
             "    DEFAULT_{K} = %w[{k} {k2} {b}].freeze\n\n")
SPEC_HEAD = ("# frozen_string_literal: true\n\nrequire 'spec_helper'\n\nRSpec.describe {A}s::{Fn} do\n"
             "  let(:project) {{ create(:project) }}\n\n  subject(:{k}) {{ described_class.new(project) }}\n\n")
RUBY_FILLERS = [
    "    # {s}\n    def {m}({a}, {b} = nil)\n      return if {a}.blank?\n\n      {b} ||= {C}.find_by({k}: {a}.id)\n"
    "      {b}.{m2}(limit: {n})\n    end\n\n",
    "    def {m}?\n      if {a}.present? && {b}_count > {n}\n        :{k}\n      elsif {a}.nil?\n"
    "        raise ArgumentError, \"{s}\"\n      else\n        {C}.new({a}).{m2}\n      end\n    end\n\n",
    "    def {m}\n      @{a} ||= {b}s.each_with_object({{}}) do |item, memo|\n        next if item.{m2}?\n\n"
    "        memo[item.id] = item.{k}_count * {n}\n      end\n    end\n\n",
    "    def {m}_params\n      {{\n        {k}: '{s}',\n        {k2}: {a}.to_h,\n        message: _(\"{s2}\"),\n"
    "        url: \"https://example.com/{a}/#{{id}}/{k}\"\n      }}\n    end\n\n",
    "    def {m}(value)\n      case value\n      when :{k} then {n}\n      when :{k2} then {a}.size\n      else\n"
    "        log_info(\"{s}\", value: value)\n      end\n    end\n\n",
    "    # {s}\n    # {s2}\n    #\n    # Returns a {C}.\n    def {m}\n"
    "      return unless Feature.enabled?(:{k}_{k2}, project)\n\n      {C}.{m2}(self)\n    end\n\n",
]
SPEC_FILLERS = [
    "  describe '#{m}' do\n    let(:{a}) {{ create(:{k}) }}\n\n    it '{s}' do\n      expect(subject.{m}({a})).to eq({n})\n"
    "    end\n\n    context 'when {s2}' do\n      it 'returns nil' do\n        allow({a}).to receive(:{m2}).and_return(nil)\n\n"
    "        expect(subject.{m}({a})).to be_nil\n      end\n    end\n  end\n\n",
    "  describe '#{m}?' do\n    before do\n      stub_feature_flags({k}_{k2}: false)\n    end\n\n"
    "    it '{s}' do\n      expect(subject).not_to be_{m2}\n    end\n  end\n\n",
]
# Toggles: (kind, form, template); {f} is the flag, {F} its upper case. In spec files every kind is test-stub.
RUBY_TOGGLES = [
    ("toggle", "gitaly_migrate", "    def {m}({a})\n      gitaly_migrate(:{f}) do |is_enabled|\n        if is_enabled\n"
     "          {b}_service.{m2}({a})\n        else\n          {b}_from_disk({a})\n        end\n      end\n    end\n\n"),
    ("toggle", "gitaly_migrate", "    def {m}\n      gitaly_migrate(:{f}, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |"
     "is_enabled|\n        if is_enabled\n          {b}_service.{m2}\n        else\n          legacy_{m2}\n        end\n"
     "      end\n    end\n\n"),
    ("toggle", "gitaly_migrate", "    def {m}\n      gitaly_migrate(:{f}) {{ |is_enabled| is_enabled ? {b}_service.{m2} : "
     "legacy_{m2} }}\n    end\n\n"),
    ("toggle", "gitaly_migrate", "    def {m}\n      raw_repository.gitaly_migrate(:{f}) do |enabled|\n"
     "        next legacy_{m2} unless enabled\n\n        {b}_service.{m2}\n      end\n    end\n\n"),
    ("toggle", "migrate", "    def {m}\n      Gitlab::GitalyClient.migrate(:{f}) {{ |e| e ? {b}_service.{m2} : legacy_{m2} }}\n"
     "    end\n\n"),
    ("toggle", "gitaly_migrate", "    def {m}\n      gitaly_migrate(:{f}, status: Gitlab::GitalyClient::MigrationStatus::MANDATORY) "
     "do |is_enabled|\n        is_enabled ? {b}_service.{m2} : raise(NotImplementedError, '{s}')\n      end\n    end\n\n"),
    ("check", "feature_enabled", "    def {m}?\n      if Gitlab::GitalyClient.feature_enabled?(:{f})\n        {b}_service.{m2}\n"
     "      else\n        legacy_{m2}\n      end\n    end\n\n"),
    ("check", "feature_enabled", "    def {m}\n      Gitlab::GitalyClient.feature_enabled?(:{f}, status: Gitlab::GitalyClient::"
     "MigrationStatus::OPT_OUT) ? {b}_service.{m2} : legacy_{m2}\n    end\n\n"),
    ("check", "flipper", "    def {m}_enabled?\n      Feature.enabled?(:gitaly_{f}) && {a}.present?\n    end\n\n"),
    ("env", "env", "    def {m}\n      return legacy_{m2} if ENV['GITALY_{F}'] == '0'\n\n      {b}_service.{m2}\n    end\n\n"),
    ("env", "env", "    def {m}?\n      ENV.fetch('GITALY_{F}', '1') == '1'\n    end\n\n"),
]
SPEC_TOGGLES = [
    ("test-stub", "rspec_stub", "  context 'when the {f} Gitaly path is on' do\n    before do\n      allow(Gitlab::GitalyClient)"
     ".to receive(:feature_enabled?).with(:{f}).and_return(true)\n    end\n\n    it '{s}' do\n"
     "      expect(subject.{m}).to be_present\n    end\n  end\n\n"),
    ("test-stub", "stub_feature_flags", "  context 'with gitaly_{f} disabled' do\n    before do\n"
     "      stub_feature_flags(gitaly_{f}: false)\n    end\n\n    it '{s}' do\n      expect(subject.{m}).to eq({n})\n"
     "    end\n  end\n\n"),
]
RUBY_WRAPPER = ("    private\n\n    def gitaly_migrate(method, status: Gitlab::GitalyClient::MigrationStatus::OPT_IN, &block)\n"
                "      Gitlab::GitalyClient.migrate(method, status: status, &block)\n    end\n")
GITALY_CLIENT_RB = (
    "module Gitlab\n  module GitalyClient\n    module MigrationStatus\n      DISABLED = 1\n      OPT_IN = 2\n      OPT_OUT = 3\n"
    "      MANDATORY = 4\n    end\n\n    def self.feature_enabled?(feature, status: MigrationStatus::OPT_IN)\n"
    "      status == MigrationStatus::MANDATORY || FeatureGate.on?(\"gitaly_#{feature}\")\n    end\n\n"
    "    def self.migrate(feature, status: MigrationStatus::OPT_IN)\n      yield feature_enabled?(feature, status: status)\n"
    "    end\n  end\nend\n")

GO_HEAD = ("package {pkg}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n{imp})\n\n"
           "var errEmpty = fmt.Errorf(\"empty {k}\")\n\n// {T} {s}.\ntype {T} struct {{\n\tName    string\n"
           "\tTimeout time.Duration\n\tclient  *http.Client\n}}\n\n")
GO_FILLERS = [
    "// {Fn} {s}.\nfunc (s *{T}) {Fn}(ctx context.Context, {a}Key string, {b}Count int) (*{T2}, error) {{\n"
    "\tif {a}Key == \"\" {{\n\t\treturn nil, fmt.Errorf(\"{s2}: %w\", errEmpty)\n\t}}\n\tfor i := 0; i < {b}Count; i++ {{\n"
    "\t\tif err := s.{fn2}(ctx, i); err != nil {{\n\t\t\treturn nil, err\n\t\t}}\n\t}}\n"
    "\treturn &{T2}{{Name: {a}Key, Limit: {n}}}, nil\n}}\n\n",
    "func {fn2}(w http.ResponseWriter, r *http.Request) {{\n\tswitch r.Method {{\n\tcase http.MethodGet:\n"
    "\t\tw.WriteHeader(http.StatusOK)\n\tcase http.MethodPost:\n\t\tfmt.Fprintf(w, \"{s}: %d\", {n})\n\tdefault:\n"
    "\t\thttp.Error(w, \"{s2}\", http.StatusMethodNotAllowed)\n\t}}\n}}\n\n",
    "// {T2} {s}.\ntype {T2} struct {{\n\tName  string\n\tLimit int\n\t{A}   time.Duration\n}}\n\n",
]
GO_CONDS = [  # the Gitaly-vs-legacy branch: else form (3 of 4) or early return
    "\tif params.GitalyServer.Address != \"\" {{\n\t\thandle{x}WithGitaly(w, r, &params)\n\t}} else {{\n"
    "\t\thandle{x}Locally(w, r, &params)\n\t}}\n",
    "\tif params.GitalyServer.Address == \"\" {{\n\t\thandle{x}Locally(w, r, &params)\n\t\treturn\n\t}}\n\n"
    "\thandle{x}WithGitaly(w, r, &params)\n"]
GO_TOGGLE = (
    "type {lx}Params struct {{\n\tRepoPath     string\n\tGitalyServer gitaly.Server\n}}\n\n"
    "// Handle{x} answers a send-data instruction from Rails.\n"
    "func Handle{x}(w http.ResponseWriter, r *http.Request, encoded string) {{\n\tvar params {lx}Params\n"
    "\tif err := decodeParams(encoded, &params); err != nil {{\n\t\thttp.Error(w, err.Error(), 500)\n\t\treturn\n\t}}\n\n"
    "{cond}}}\n\nfunc handle{x}WithGitaly(w http.ResponseWriter, r *http.Request, params *{lx}Params) {{\n"
    "\tclient, err := gitaly.New{short}Client(params.GitalyServer)\n\tif err != nil {{\n\t\thttp.Error(w, err.Error(), 502)\n"
    "\t\treturn\n\t}}\n\tif err := client.Do{method}(r.Context(), w, params.RepoPath); err != nil {{\n\t\tfmt.Println(err)\n"
    "\t}}\n}}\n\nfunc handle{x}Locally(w http.ResponseWriter, r *http.Request, params *{lx}Params) {{\n"
    "\tfmt.Fprintf(w, \"%s\", params.RepoPath)\n}}\n\n")
GITALY_GO_HEAD = ("package gitaly\n\nimport (\n\t\"context\"\n\t\"io\"\n\n\tpb \"gitlab.com/gitlab-org/gitaly-proto/go\"\n"
                  "\t\"google.golang.org/grpc\"\n)\n\n")
GITALY_GO_SERVER = ("// Server identifies one Gitaly server handed to us by Rails.\ntype Server struct {\n"
                    "\tAddress string `json:\"address\"`\n\tToken   string `json:\"token\"`\n}\n\n"
                    "func dial(server Server) (*grpc.ClientConn, error) {\n"
                    "\treturn grpc.Dial(server.Address, grpc.WithInsecure())\n}\n")
GITALY_GO_CLIENT = ("type {short}Client struct{{ pb.{svc}Client }}\n\nfunc New{short}Client(server Server) (*{short}Client, "
                    "error) {{\n\tconn, err := dial(server)\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n"
                    "\treturn &{short}Client{{pb.New{svc}Client(conn)}}, nil\n}}\n\n")
GITALY_GO_WRAPPER = ("// Do{method} calls {svc}.{method} and copies the answer into w.\n"
                     "func (c *{short}Client) Do{method}(ctx context.Context, w io.Writer, repo string) error {{\n"
                     "\tresp, err := c.{method}(ctx, &pb.{method}Request{{Repository: &pb.Repository{{RelativePath: repo}}}})\n"
                     "\tif err != nil {{\n\t\treturn err\n\t}}\n\t_, err = io.WriteString(w, resp.String())\n\treturn err\n}}\n\n")


def camel(s):
    return "".join(w.capitalize() for w in s.split("_"))


class Gen:
    def __init__(self, out, scale, seed):
        self.out, self.rng = out, random.Random(seed * 1_000_003 + 17)
        self.n_ruby, self.n_go, self.n_conf = (max(1, round(n * scale)) for n in (15000, 2000, 1000))
        self.used, self.dirs, self.counts, self.bytes = set(), set(), {}, 0
        self.expected, self.toggled = [], {"ruby": 0, "go": 0, "config/doc": 0}
        self.go_calls = {}  # service -> {method: None}, for the gitaly package

    def write(self, rel, text, kind):
        path = os.path.join(self.out, rel)
        if os.path.dirname(path) not in self.dirs:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.dirs.add(os.path.dirname(path))
        data = text.encode()
        with open(path, "wb") as fh:
            fh.write(data)
        self.bytes += len(data)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def unique(self, stem, ext):
        rel, i = stem + ext, 1
        while rel in self.used:
            i += 1
            rel = f"{stem}_{i}{ext}"
        self.used.add(rel)
        return rel

    def expect(self, rel, kind, form, flag):
        self.expected.append({"path": rel, "kind": kind, "form": form, "flag": flag})

    def sentence(self):
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(3, 9)))

    def fields(self, **extra):
        w = self.rng.choice
        f = dict(m=f"{w(VERBS)}_{w(WORDS)}", m2=f"{w(VERBS)}_{w(WORDS)}", a=w(WORDS), b=w(WORDS), k=w(WORDS),
                 k2=w(WORDS), C=camel(w(WORDS)), n=self.rng.randint(1, 5000), s=self.sentence(), s2=self.sentence())
        f.update(T=f["C"] + "Store", T2=camel(f["k"]) + "Spec", A=camel(f["k2"]), Fn=camel(f["m"]),
                 fn2=f["m2"].split("_")[0] + camel(f["a"]), K=f["k"].upper())
        f.update(extra)
        return f

    def target(self, shape, toggle):
        if shape == "long":
            return 300_000 + self.rng.randint(0, 20_000)
        if toggle:
            return self.rng.randint(2_000, 10_000)
        return int(1024 * 40 ** (self.rng.random() ** 1.55))  # 1-40 KB, mean ~8 KB

    def fill(self, parts, fillers, target):
        total = sum(map(len, parts))
        while total < target:
            parts.append(self.rng.choice(fillers).format(**self.fields()))
            total += len(parts[-1])

    @staticmethod
    def deep(ruby, levels=300):
        """A method (Ruby) or function (Go) nesting `if`s `levels` deep."""
        if ruby:
            ind, opener, closer, leaf = (lambda i: "  " * (i + 3)), "", "end", "value"
            head, tail = "    def nested_rules(value)\n", "    end\n\n"
        else:
            ind, opener, closer, leaf = (lambda i: "\t" * (i + 1)), " {", "}", "return value"
            head, tail = "func nestedRules(value int) int {\n", "\treturn 0\n}\n\n"
        body = [f"{ind(i)}if value > {i}{opener}\n" for i in range(levels)] + [f"{ind(levels)}{leaf}\n"]
        body += [f"{ind(i)}{closer}\n" for i in reversed(range(levels))]
        return head + "".join(body) + tail

    def ruby(self, shape, toggle):
        base, suffix, _ = self.rng.choices(RUBY_DIRS, weights=[d[2] for d in RUBY_DIRS])[0]
        spec = base.startswith("spec/")
        rel = self.unique(f"{base}/{self.rng.choice(NS)}/{self.rng.choice(VERBS)}_{self.rng.choice(WORDS)}{suffix}", ".rb")
        parts = [(SPEC_HEAD if spec else RUBY_HEAD).format(**self.fields())]
        if shape == "deep":
            parts.append(self.deep(True))
        if toggle:
            self.toggled["ruby"] += 1
            for _ in range(self.rng.randint(1, 5)):
                kind, form, tpl = self.rng.choice(SPEC_TOGGLES if spec else RUBY_TOGGLES)
                flag = self.rng.choice(FLAGS)[0]
                parts.append(tpl.format(**self.fields(f=flag, F=flag.upper())))
                self.expect(rel, "test-stub" if spec else kind, form, flag)
        self.fill(parts, SPEC_FILLERS if spec else RUBY_FILLERS, self.target(shape, toggle))
        if toggle and not spec and self.rng.random() < 0.5:
            parts.append(RUBY_WRAPPER)  # a wrapper passing its parameter on: not a reference
        self.write(rel, "".join(parts) + ("end\n" if spec else "  end\nend\n"), "ruby")

    def go(self, shape, toggle):
        pkg, test = self.rng.choice(GO_PKGS), self.rng.random() < 0.25 and not toggle
        rel = self.unique(f"workhorse/internal/{pkg}/{self.rng.choice(WORDS)}_{self.rng.choice(VERBS)}",
                          "_test.go" if test else ".go")
        imp = '\n\t"gitlab.com/gitlab-org/gitlab-workhorse/internal/gitaly"\n' if toggle else ""
        parts = [GO_HEAD.format(**self.fields(pkg=pkg, imp=imp))]
        if shape == "deep":
            parts.append(self.deep(False))
        if toggle:
            self.toggled["go"] += 1
            for _ in range(self.rng.randint(1, 2)):
                flag, endpoint = self.rng.choice(REGISTERED)
                svc, method = endpoint.split("/")
                self.go_calls.setdefault(svc, {})[method] = None
                x = f"{camel(flag)}{len(self.expected)}"
                cond = self.rng.choice(GO_CONDS[:1] * 3 + GO_CONDS[1:]).format(x=x)
                parts.append(GO_TOGGLE.format(x=x, lx=x[0].lower() + x[1:], cond=cond, short=svc[:-7], method=method))
                self.expect(rel, "toggle", "gitaly-server-branch", flag)
        self.fill(parts, GO_FILLERS, self.target(shape, toggle))
        self.write(rel, "".join(parts), "go")

    def gitaly_package(self):
        self.write("workhorse/internal/gitaly/gitaly.go", GITALY_GO_HEAD + GITALY_GO_SERVER, "go")
        for svc, methods in sorted(self.go_calls.items()):
            text = GITALY_GO_HEAD + GITALY_GO_CLIENT.format(short=svc[:-7], svc=svc) + "".join(
                GITALY_GO_WRAPPER.format(short=svc[:-7], svc=svc, method=m) for m in sorted(methods))
            self.write(f"workhorse/internal/gitaly/{svc[:-7].lower()}.go", text, "go")

    def config(self, i, toggle, code_flags):
        kind = ["md", "md", "md", "md", "yml", "yml", "yml", "json", "json", "sh", "env"][i % 11]
        f, flag = self.fields(), self.rng.choice(code_flags)
        F, lines = flag.upper(), [f"{self.sentence()} {self.sentence()}." for _ in range(self.rng.randint(10, 80))]
        refs = []  # (kind, form, flag) the file should yield
        if kind == "md":
            rel = self.unique(f"doc/{self.rng.choice(NS)}/{f['k']}_{f['k2']}", ".md")
            body = f"# {f['C']} {f['k2']}\n\n" + "\n\n".join(lines) + f"\n\n```shell\nbin/rake {f['k']}:{f['m']}\n```\n"
            if toggle:
                body += f"\n## Rollout\n\nSet `GITALY_{F}=1` on every node, or flip the `gitaly_{flag}` feature flag.\n"
                refs += [("doc", "doc-code", flag)] * 2
        elif kind == "yml" and toggle and i % 2:
            rel = self.unique(f"config/feature_flags/development/gitaly_{flag}", ".yml")
            body = (f"---\nname: gitaly_{flag}\nintroduced_by_url: https://example.com/mr/{f['n']}\n"
                    f"rollout_issue_url: https://example.com/issues/{f['n']}\ntype: development\ndefault_enabled: false\n")
            refs.append(("config", "feature-definition", flag))
        elif kind == "yml" and (toggle or i % 3 == 0):
            rel = self.unique(f".gitlab/ci/{f['k']}-{f['k2']}.gitlab-ci", ".yml")
            body = (f"{f['k']}-job:\n  stage: test\n  variables:\n    RAILS_ENV: test\n" + (f'    GITALY_{F}: "1"\n' * toggle)
                    + "  script:\n" + "".join(f"    - echo '{line}'\n" for line in lines))
            refs += [("config", "env-assignment", flag)] * toggle
        elif kind == "yml":
            rel = self.unique(f"config/feature_flags/development/{f['k']}_{f['m']}", ".yml")
            body = f"---\nname: {f['k']}_{f['m']}\ndescription: {lines[0]}\ntype: development\ndefault_enabled: false\n"
        elif kind == "json" and (toggle or i % 4 == 0):  # a Chef role
            rel = self.unique(f"config/roles/{f['k']}-{f['k2']}", ".json")
            env = {"RAILS_ENV": "production", f"{f['K']}_LIMIT": str(f["n"])} | ({f"GITALY_{F}": "1"} if toggle else {})
            body = json.dumps({"name": f["k"], "description": lines[0], "json_class": "Chef::Role", "default_attributes":
                               {"omnibus-gitlab": {"gitlab_rb": {"gitlab-rails": {"env": env}}}},
                               "run_list": [f"recipe[{f['k']}]"]}, indent=2) + "\n"
            refs += [("config", "json-key", flag)] * toggle
        elif kind == "json":
            rel = self.unique(f"spec/fixtures/api/schemas/{f['k']}_{f['m']}", ".json")
            props = {w: {"type": "string", "description": line} for w, line in zip(WORDS, lines)}
            body = json.dumps({"type": "object", "required": [f["k"], f["k2"]], "properties": props}, indent=2) + "\n"
        else:
            rel = self.unique(f"scripts/{f['m']}" if kind == "sh" else f"config/env/{f['k']}_{f['k2']}", "." + kind)
            body = ("#!/bin/bash\nset -euo pipefail\n\n" if kind == "sh" else "") + "".join(
                f"# {line}\n{w.upper()}_{f['K']}={n}\n" for line, w, n in zip(lines, WORDS, range(99)))
            if toggle:
                body += f"export GITALY_{F}=1\n" if kind == "sh" else f"GITALY_{F}=1\nGITALY_{f['K']}_X=0\n"
                refs.append(("config", "env-assignment", flag))
                refs += [("config", "env-assignment", f"{f['k']}_x")] * (kind == "env")  # unknown to the registry
        for r in refs:
            self.expect(rel, *r)
        self.toggled["config/doc"] += bool(toggle)
        self.write(rel, body, {"md": "markdown", "yml": "yaml", "json": "json"}.get(kind, "env/sh"))

    def run(self):
        r = self.rng
        shapes = {i: "long" for i in r.sample(range(self.n_ruby), max(1, self.n_ruby // 1000))}
        shapes.update({i: "deep" for i in r.sample(range(self.n_ruby), max(1, self.n_ruby // 3000))})
        toggles = set(r.sample(range(self.n_ruby), max(1, round(self.n_ruby * 0.01))))
        # A toggle in one long and one deep file: flaglint parses them even with its prefilter.
        toggles.update(min((i for i in shapes if shapes[i] == s), default=0) for s in ("long", "deep"))
        self.write("Gemfile", "source 'https://rubygems.org'\n\ngem 'rails', '~> 6.0'\ngem 'gitaly-proto', '~> 1.0'\n", "ruby")
        self.write("lib/gitlab/gitaly_client.rb", GITALY_CLIENT_RB, "ruby")
        for i in range(self.n_ruby):
            self.ruby(shapes.get(i), i in toggles)
        shapes = {i: "long" for i in r.sample(range(self.n_go), max(1, self.n_go // 500))}
        shapes.update({i: "deep" for i in r.sample(range(self.n_go), max(1, self.n_go // 1000))})
        toggles = set(r.sample(range(self.n_go), max(1, round(self.n_go * 0.01))))
        for i in range(self.n_go):
            self.go(shapes.get(i), i in toggles)
        self.gitaly_package()
        code_flags = sorted({e["flag"] for e in self.expected})
        toggles = set(r.sample(range(self.n_conf), min(self.n_conf, max(6, round(self.n_conf * 0.02)))))
        for i in range(self.n_conf):
            self.config(i, i in toggles, code_flags)
        self.write("flaglint.toml", "# Registry of the synthetic benchmark corpus (scripts/gen-corpus.py).\n\n" + "".join(
            f'[[feature]]\nname = "{fl}"\nstage = "{STAGES[j % 4]}"\nendpoint = "{ep}"\n\n'
            for j, (fl, ep) in enumerate(REGISTERED)), "toml")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, metavar="DIR", help="directory to write (must be empty unless --force)")
    ap.add_argument("--scale", type=float, default=1.0, metavar="K", help="multiplies the file counts (default 1)")
    ap.add_argument("--seed", type=int, default=1, metavar="N", help="random seed (default 1)")
    ap.add_argument("--force", action="store_true", help="write into a non-empty DIR")
    ap.add_argument("--manifest", metavar="FILE", help="write the expected references to FILE (JSON)")
    args = ap.parse_args()
    if args.scale <= 0:
        ap.error("--scale must be positive")
    if os.path.isdir(args.out) and os.listdir(args.out) and not args.force:
        sys.exit(f"error: {args.out} is not empty (--force writes into it anyway)")
    g = Gen(args.out, args.scale, args.seed)
    g.run()
    if args.manifest:
        with open(args.manifest, "w") as fh:
            json.dump(g.expected, fh, indent=1)
    kinds = " ".join(f"{k}={v}" for k, v in g.counts.items())
    toggled = " ".join(f"{k}={v}" for k, v in g.toggled.items())
    print(f"files: {kinds} (total {sum(g.counts.values())}); bytes: {g.bytes} ({g.bytes / 1e6:.1f} MB); "
          f"files with toggles: {sum(g.toggled.values())} ({toggled}); expected references: {len(g.expected)}")


if __name__ == "__main__":
    main()

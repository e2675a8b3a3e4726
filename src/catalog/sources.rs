//! Catalog sources: `.proto` files, generated Go (`*.pb.go`) and generated
//! Ruby (`*_services_pb.rb`). Each yields endpoints with their streaming kind;
//! a broken proto yields what it could read and a warning with a position.

use super::Endpoint;

/// A problem in a catalog source: (line, column, message). 1-based.
pub type SourceWarning = (usize, usize, String);

/// Whether a file name is a catalog source, by name alone.
pub fn is_catalog_source(name: &str) -> bool {
    name.ends_with(".proto") || name.ends_with(".pb.go") || name.ends_with("_services_pb.rb")
}

/// Reads the endpoints of a catalog source named `name`.
pub fn read(name: &str, text: &str) -> (Vec<Endpoint>, Vec<SourceWarning>) {
    if name.ends_with(".proto") {
        proto(text)
    } else if name.ends_with(".pb.go") {
        (pb_go(text), Vec::new())
    } else if name.ends_with("_services_pb.rb") {
        (services_pb_rb(text), Vec::new())
    } else {
        (Vec::new(), Vec::new())
    }
}

fn streaming(client: bool, server: bool) -> &'static str {
    match (client, server) {
        (true, true) => "bidi",
        (true, false) => "client-stream",
        (false, true) => "server-stream",
        (false, false) => "unary",
    }
}

/// A token of a proto file and its byte offset.
#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Punct(u8),
}

/// Tokens of a proto file, comments and strings skipped.
fn tokenize(text: &str) -> Vec<(Tok<'_>, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push((Tok::Word(&text[s..i]), s));
        } else {
            out.push((Tok::Punct(c), i));
            i += 1;
        }
    }
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `service X { rpc M(stream? Req) returns (stream? Resp); ... }`.
pub fn proto(text: &str) -> (Vec<Endpoint>, Vec<SourceWarning>) {
    let toks = tokenize(text);
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].0 != Tok::Word("service") {
            i += 1;
            continue;
        }
        let start = toks[i].1;
        let (Some((Tok::Word(service), _)), Some((Tok::Punct(b'{'), _))) =
            (toks.get(i + 1), toks.get(i + 2))
        else {
            i += 1;
            continue;
        };
        let service = *service;
        i += 3;
        let mut depth = 1;
        while i < toks.len() && depth > 0 {
            match &toks[i].0 {
                Tok::Punct(b'{') => depth += 1,
                Tok::Punct(b'}') => depth -= 1,
                Tok::Word("rpc") if depth == 1 => match parse_rpc(&toks[i..]) {
                    Some((method, client, server, used)) => {
                        out.push(Endpoint {
                            service: service.to_string(),
                            method: method.to_string(),
                            streaming: streaming(client, server).to_string(),
                            sources: Vec::new(),
                        });
                        i += used;
                        continue;
                    }
                    None => {
                        let (l, c) = line_col(text, toks[i].1);
                        warnings.push((l, c, format!("cannot read this rpc of service {service}")));
                    }
                },
                _ => {}
            }
            i += 1;
        }
        if depth > 0 {
            let (l, c) = line_col(text, start);
            warnings.push((l, c, format!("service {service} is not closed")));
        }
    }
    (out, warnings)
}

/// `rpc M ( stream? Req ) returns ( stream? Resp )`: (method, client streams,
/// server streams, tokens used).
fn parse_rpc<'a>(t: &[(Tok<'a>, usize)]) -> Option<(&'a str, bool, bool, usize)> {
    let Tok::Word(method) = t.get(1)?.0 else {
        return None;
    };
    let mut i = 2;
    let group = |i: &mut usize| -> Option<bool> {
        if t.get(*i)?.0 != Tok::Punct(b'(') {
            return None;
        }
        *i += 1;
        let stream =
            t.get(*i)?.0 == Tok::Word("stream") && matches!(t.get(*i + 1)?.0, Tok::Word(_));
        while t.get(*i)?.0 != Tok::Punct(b')') {
            *i += 1;
        }
        *i += 1;
        Some(stream)
    };
    let client = group(&mut i)?;
    if t.get(i)?.0 != Tok::Word("returns") {
        return None;
    }
    i += 1;
    let server = group(&mut i)?;
    Some((method, client, server, i))
}

/// The service name without its package: `gitaly.RefService` → `RefService`.
fn unqualified(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or(s)
}

/// Generated Go: `grpc.ServiceDesc{ServiceName: "gitaly.X", Methods: [...{MethodName: "M"}],
/// Streams: [...{StreamName: "S", ServerStreams: true, ClientStreams: true}]}`.
pub fn pb_go(text: &str) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for desc in text.split("grpc.ServiceDesc{").skip(1) {
        let desc = desc.split("Metadata:").next().unwrap_or(desc);
        let Some(service) = quoted_after(desc, "ServiceName:") else {
            continue;
        };
        let service = unqualified(service);
        let mut rest = desc;
        while let Some(i) = rest.find("MethodName:") {
            rest = &rest[i + 11..];
            if let Some(m) = quoted_after(rest, "") {
                out.push(Endpoint {
                    service: service.into(),
                    method: m.into(),
                    streaming: "unary".into(),
                    sources: Vec::new(),
                });
            }
        }
        let mut rest = desc;
        while let Some(i) = rest.find("StreamName:") {
            rest = &rest[i + 11..];
            let entry = rest.split("StreamName:").next().unwrap_or(rest);
            let entry = entry.split('}').next().unwrap_or(entry);
            if let Some(m) = quoted_after(rest, "") {
                let server =
                    entry.contains("ServerStreams: true") || entry.contains("ServerStreams:true");
                let client =
                    entry.contains("ClientStreams: true") || entry.contains("ClientStreams:true");
                out.push(Endpoint {
                    service: service.into(),
                    method: m.into(),
                    streaming: streaming(client, server).into(),
                    sources: Vec::new(),
                });
            }
        }
    }
    out
}

fn quoted_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let i = text.find(key)? + key.len();
    let rest = text[i..].trim_start();
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

/// Generated Ruby: `self.service_name = 'gitaly.X'` then `rpc :M, Req, stream(Resp)`.
pub fn services_pb_rb(text: &str) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let mut service: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            continue;
        }
        if let Some(i) = t.find("service_name") {
            let rest = &t[i + 12..];
            let q = rest.find(['\'', '"']);
            if let Some(q) = q {
                let quote = rest.as_bytes()[q] as char;
                let name = rest[q + 1..].split(quote).next().unwrap_or("");
                service = Some(unqualified(name).to_string());
            }
            continue;
        }
        let (Some(s), Some(rest)) = (service.as_ref(), t.strip_prefix("rpc :")) else {
            continue;
        };
        let mut parts = rest.splitn(2, ',');
        let method = parts.next().unwrap_or("").trim();
        let args = parts.next().unwrap_or("");
        let mut args = args.splitn(2, ',');
        let (req, resp) = (args.next().unwrap_or(""), args.next().unwrap_or(""));
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            continue;
        }
        out.push(Endpoint {
            service: s.clone(),
            method: method.into(),
            streaming: streaming(
                req.trim().starts_with("stream("),
                resp.trim().starts_with("stream("),
            )
            .into(),
            sources: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: &[Endpoint]) -> Vec<String> {
        e.iter()
            .map(|e| format!("{} {}", e.name(), e.streaming))
            .collect()
    }

    #[test]
    fn proto_services_rpcs_and_streaming() {
        let text = r#"syntax = "proto3";
package gitaly;
// rpc Commented(A) returns (B);
/* service Fake { rpc Fake(FakeRequest) returns (FakeResponse); } */
service RefService {
  option (gitaly.x) = { a: "}" };
  rpc FindBranch(FindBranchRequest) returns (FindBranchResponse) {}
  rpc FindAllTags(FindAllTagsRequest) returns (stream FindAllTagsResponse) {
    option (op_type) = { op: ACCESSOR };
  }
  rpc Up(stream UpRequest) returns (UpResponse);
  rpc Chat(stream stream) returns (stream B);
}
message M { message N { string rpc = 1; } }
"#;
        let (e, w) = proto(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            names(&e),
            [
                "RefService/FindBranch unary",
                "RefService/FindAllTags server-stream",
                "RefService/Up client-stream",
                "RefService/Chat bidi",
            ]
        );
    }

    #[test]
    fn broken_proto_is_a_warning() {
        let (e, w) = proto("service Ok { rpc A(X) returns (Y); }\nservice Broken {\n  rpc Half(\n");
        assert_eq!(names(&e), ["Ok/A unary"]);
        assert_eq!(w.len(), 2);
        assert_eq!((w[1].0, w[1].1), (2, 1));
    }

    #[test]
    fn generated_go_and_ruby() {
        let go = r#"var _RefService_serviceDesc = grpc.ServiceDesc{
	ServiceName: "gitaly.RefService",
	Methods: []grpc.MethodDesc{
		{MethodName: "FindBranch", Handler: h},
	},
	Streams: []grpc.StreamDesc{
		{StreamName: "FindAllTags", Handler: h, ServerStreams: true},
		{StreamName: "Push", Handler: h, ServerStreams: true, ClientStreams: true},
	},
	Metadata: "ref.proto",
}"#;
        assert_eq!(
            names(&pb_go(go)),
            [
                "RefService/FindBranch unary",
                "RefService/FindAllTags server-stream",
                "RefService/Push bidi"
            ]
        );
        let rb = "module Gitaly\n  module RefService\n    class Service\n      self.service_name = 'gitaly.RefService'\n      rpc :FindBranch, FindBranchRequest, FindBranchResponse\n      rpc :FindAllTags, FindAllTagsRequest, stream(FindAllTagsResponse)\n    end\n  end\nend\n";
        assert_eq!(
            names(&services_pb_rb(rb)),
            [
                "RefService/FindBranch unary",
                "RefService/FindAllTags server-stream"
            ]
        );
    }
}

import Testing
@testable import MiniBotSIP

@Suite("Digest authentication")
struct DigestTests {
    /// RFC 2617 §3.5 and RFC 7616 §3.9.1 test vectors.
    @Test func rfcVectors() throws {
        var rfc2617 = DigestAuthenticator(username: "Mufasa", password: "Circle Of Life", cnonce: { "0a4f113b" })
        let challenge = try DigestChallenge(parsing: #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#)
        let header = rfc2617.authorization(for: challenge, method: "GET", uri: "/dir/index.html")
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(header.contains("nc=00000001") && header.contains("qop=auth") && header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        // The same nonce again counts up.
        #expect(rfc2617.authorization(for: challenge, method: "GET", uri: "/dir/index.html").contains("nc=00000002"))

        for (algorithm, expected) in [("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
                                      ("MD5", "8ca523f5e9506fed4657c9700eebdbec")] {
            var rfc7616 = DigestAuthenticator(username: "Mufasa", password: "Circle of Life", cnonce: { "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ" })
            let challenge = try DigestChallenge(parsing: "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=\(algorithm), nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"")
            #expect(rfc7616.authorization(for: challenge, method: "GET", uri: "/dir/index.html").contains("response=\"\(expected)\""))
        }
    }

    @Test func withoutQopAndErrors() throws {
        var auth = DigestAuthenticator(username: "robot", password: "secret")
        let challenge = try DigestChallenge(parsing: #"Digest realm="sipp.test", nonce="abc""#)
        #expect(challenge.algorithm == .md5 && challenge.qop.isEmpty && !challenge.stale)
        let header = auth.authorization(for: challenge, method: "INVITE", uri: "sip:svc@127.0.0.1")
        // MD5(MD5("robot:sipp.test:secret"):abc:MD5("INVITE:sip:svc@127.0.0.1"))
        let ha1 = DigestAlgorithm.md5.hash("robot:sipp.test:secret"), ha2 = DigestAlgorithm.md5.hash("INVITE:sip:svc@127.0.0.1")
        #expect(header.contains("response=\"\(DigestAlgorithm.md5.hash("\(ha1):abc:\(ha2)"))\""))
        #expect(!header.contains("qop") && !header.contains("nc="))
        #expect(try DigestChallenge(parsing: #"Digest realm="r", nonce="n", stale=TRUE"#).stale)
        #expect(throws: SIPAuthError.unsupportedScheme("Basic realm=\"x\"")) { try DigestChallenge(parsing: #"Basic realm="x""#) }
        #expect(throws: SIPAuthError.unsupportedAlgorithm("AKAv1-MD5")) { try DigestChallenge(parsing: #"Digest realm="r", nonce="n", algorithm=AKAv1-MD5"#) }
        #expect(throws: SIPAuthError.self) { try DigestChallenge(parsing: #"Digest realm="r""#) }
    }
}

using System.Security.Cryptography;
using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Api.Auth;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api.Auth;

/// <summary>The core's MD5, Digest verification, nonces, the slow-down, and users/config (issue 15b). Pure: no sockets.</summary>
public class AuthCoreTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    static string Md5Of(string s) => Md5.HexOf(s);

    [Theory] // RFC 1321 appendix A.5
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void Md5_Rfc1321Vectors(string input, string expected) => Assert.Equal(expected, Md5Of(input));

    [Fact]
    public void Md5_EqualsDotNetOnEveryLengthAroundTheBlockBoundaries()
    {
        var random = new Random(15);
        for (int length = 0; length < 300; length++)
        {
            var data = new byte[length + 7];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data.AsSpan(3, length))), Md5.Hex(Md5.Hash(data, 3, length)));
        }
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("Grüße 😀"))), Md5Of("Grüße 😀"));
    }

    [Fact]
    public void Digest_Rfc2617Example()
    {
        // RFC 2617 §3.5: Mufasa / "Circle Of Life", realm testrealm@host.com.
        string ha1 = Md5Of("Mufasa:testrealm@host.com:Circle Of Life");
        Assert.Equal("6629fae49393a05397450978507c4ef1",
            HttpAuth.Response(ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", "GET", "/dir/index.html"));
        var d = DigestFields.Parse("username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", " +
            "uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", " +
            "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
        Assert.Equal(("Mufasa", "/dir/index.html", "auth", "00000001", "0a4f113b"), (d.Username, d.Uri, d.Qop, d.Nc, d.Cnonce));
        Assert.Equal("6629fae49393a05397450978507c4ef1", d.Response);
        Assert.Null(DigestFields.Parse("username=\"unclosed"));
    }

    static UsersConfig Users(string user = "admin", string password = "secret", bool enabled = true) => new()
    {
        HttpAuthEnabled = enabled, Usernames = new[] { user }, DigestHashes = new[] { UsersConfig.DigestHash(user, password) },
    };

    static string NonceOf(string challenge) => System.Text.RegularExpressions.Regex.Match(challenge, "nonce=\"([^\"]+)\"").Groups[1].Value;

    /// <summary>What curl and browsers send for a challenge.</summary>
    static string Answer(string challenge, string user, string password, string method, string uri, int nc = 1, string cnonce = "c0ffee")
    {
        string nonce = NonceOf(challenge), ncText = nc.ToString("x8");
        string response = HttpAuth.Response(UsersConfig.DigestHash(user, password), nonce, ncText, cnonce, "auth", method, uri);
        return $"Digest username=\"{user}\", realm=\"{UsersConfig.Realm}\", nonce=\"{nonce}\", uri=\"{uri}\", cnonce=\"{cnonce}\", nc={ncText}, qop=auth, response=\"{response}\", algorithm=MD5";
    }

    [Fact]
    public void Digest_ChallengeThenAnswer_PassesAndOnlyOnce()
    {
        var auth = new HttpAuth(new byte[16]);
        var users = Users();
        const string path = "/charge_manager/state";
        Assert.Equal(0, auth.Check(users, "GET", "/", "/", null, "a", 1000)); // the page itself is public
        Assert.Equal(0, auth.Check(Users(enabled: false), "GET", path, path, null, "a", 1000));
        Assert.Equal(401, auth.Check(users, "GET", path, path, null, "a", 1000));
        string challenge = auth.Challenge;
        Assert.StartsWith("Digest realm=\"ChargeManager\", qop=\"auth\", algorithm=MD5, nonce=\"", challenge);
        Assert.Equal(0, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path), "a", 1500));
        Assert.Equal("admin", auth.User);
        // The same nc again is a replay; the next one passes, and so does one behind it not seen yet.
        Assert.Equal(401, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path), "a", 1600));
        Assert.Contains("stale=true", auth.Challenge);
        Assert.Equal(0, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path, nc: 3), "a", 1700));
        Assert.Equal(0, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path, nc: 2), "a", 1700));
        Assert.Equal(401, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path, nc: 2), "a", 1700));
        // Another method or uri than the response was made for.
        Assert.Equal(401, auth.Check(users, "POST", path, path, Answer(challenge, "admin", "secret", "GET", path, nc: 4), "a", 1800));
        Assert.Equal(401, auth.Check(users, "GET", "/charge_manager/config", "/charge_manager/config", Answer(challenge, "admin", "secret", "GET", path, nc: 5), "a", 1800));
        Assert.Equal(1, auth.FailuresOf("a")); // the wrong response counts; a uri that is not the request is refused uncounted
    }

    [Fact]
    public void Nonce_ExpiresAfterItsLifetimeAndIsBoundToThisBoot()
    {
        var auth = new HttpAuth(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray());
        var users = Users();
        const string path = "/charge_manager/config";
        auth.Check(users, "GET", path, path, null, "a", 10_000);
        string challenge = auth.Challenge;
        Assert.True(auth.NonceValid(NonceOf(challenge), 10_000 + HttpAuth.NonceLifetimeMs - 1));
        Assert.False(auth.NonceValid(NonceOf(challenge), 10_000 + HttpAuth.NonceLifetimeMs));
        Assert.False(auth.NonceValid(NonceOf(challenge), 9_999)); // from the future
        Assert.Equal(401, auth.Check(users, "GET", path, path, Answer(challenge, "admin", "secret", "GET", path), "a", 10_000 + HttpAuth.NonceLifetimeMs));
        Assert.Contains("stale=true", auth.Challenge);
        Assert.Equal(0, auth.FailuresOf("a")); // a stale nonce is no failed login
        // Another boot (another secret) does not accept it; a forged tag is refused.
        var rebooted = new HttpAuth(new byte[16]);
        Assert.False(rebooted.NonceValid(NonceOf(challenge), 10_001));
        string nonce = NonceOf(challenge);
        Assert.False(auth.NonceValid(nonce.Substring(0, 55) + (nonce[55] == '0' ? '1' : '0'), 10_001));
    }

    [Fact]
    public void Basic_CheckedAgainstTheStoredHash()
    {
        var auth = new HttpAuth(new byte[16]);
        var users = Users("Grüße", "pass:word");
        string basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße:pass:word"));
        Assert.Equal(0, auth.Check(users, "POST", "/charge_manager/available_current", "/charge_manager/available_current", basic, "b", 1));
        string wrong = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße:pass:worD"));
        Assert.Equal(401, auth.Check(users, "POST", "/x", "/x", wrong, "b", 2));
        Assert.Equal(401, auth.Check(users, "POST", "/x", "/x", "Basic !!!!", "b", 3));
        Assert.Equal(1, auth.FailuresOf("b"));
    }

    [Fact]
    public void Failures_SlowDownPerClient_Exponentially_AndSuccessClearsThem()
    {
        var auth = new HttpAuth(new byte[16]);
        var users = Users();
        string bad = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:guess"));
        string good = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:secret"));
        long now = 0;
        for (int i = 0; i < HttpAuth.FreeFailures; i++)
            Assert.Equal(401, auth.Check(users, "GET", "/x", "/x", bad, "10.0.0.9", now));
        var blocks = new List<int>();
        for (int i = 0; i < 9; i++)
        {
            Assert.True(401 == auth.Check(users, "GET", "/x", "/x", bad, "10.0.0.9", now), $"attempt {i}: {auth.Message}");
            Assert.Equal(429, auth.Check(users, "GET", "/x", "/x", good, "10.0.0.9", now)); // even the right password waits
            blocks.Add(auth.RetryAfterSeconds);
            Assert.Equal(0, auth.Check(users, "GET", "/", "/", null, "10.0.0.9", now)); // the page still loads
            Assert.Equal(0, auth.Check(users, "GET", "/x", "/x", good, "10.0.0.8", now)); // other clients are not affected
            now += blocks[^1] * 1000L;
        }
        Assert.Equal(new[] { 1, 2, 4, 8, 16, 32, 64, 64, 64 }, blocks);
        Assert.Equal(0, auth.Check(users, "GET", "/x", "/x", good, "10.0.0.9", now));
        Assert.Equal(0, auth.FailuresOf("10.0.0.9"));
    }

    // ---- users/config through the app ----

    readonly MemoryStore store = new();

    ChargeManagerApp NewApp() => new(store, this, this, new ManagerConfig { Hosts = new string[0], Names = new string[0] }, 1000);

    static (int, string) Call(ChargeManagerApp app, string method, string path, string body = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        int status = app.Handle(method, path, bytes, bytes.Length, 1000);
        return (status, status == 200 ? app.Response.ToString() : app.ErrorText);
    }

    [Fact]
    public void UsersConfig_StoresOnlyTheHash_NeverReadsThePasswordBack_KeepsItWhenLeftOut()
    {
        var app = NewApp();
        Assert.Equal((200, "{\"http_auth_enabled\":false,\"users\":[]}"), Call(app, "GET", "/users/config"));
        Assert.Equal(200, Call(app, "POST", "/users/config", "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":\"s3cret!\"}]}").Item1);
        Assert.Equal((200, "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":null}]}"), Call(app, "GET", "/users/config"));
        string file = Encoding.UTF8.GetString(store.Files[UsersConfig.File]);
        Assert.DoesNotContain("s3cret", file);
        Assert.Contains(Md5Of("admin:ChargeManager:s3cret!"), file);
        // Written back as read (password null) and without the key: the hash stays; a second user needs one.
        Assert.Equal(200, Call(app, "PUT", "/users/config_update", "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":null}]}").Item1);
        Assert.Equal(200, Call(app, "PUT", "/users/config", "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\"},{\"username\":\"bob\",\"password\":\"pw\"}]}").Item1);
        Assert.Equal(UsersConfig.DigestHash("admin", "s3cret!"), app.Users.HashOf("admin"));
        Assert.Equal(UsersConfig.DigestHash("bob", "pw"), app.Users.HashOf("bob"));
        // A restart reads the same users.
        var again = NewApp();
        Assert.True(again.Users.HttpAuthEnabled);
        Assert.Equal(app.Users.DigestHashes, again.Users.DigestHashes);
    }

    [Theory]
    [InlineData("{\"http_auth_enabled\":true,\"users\":[]}", "http_auth_enabled: cannot enable HTTP authentication without a user")]
    [InlineData("{\"http_auth_enabled\":true}", "JSON object is missing key 'users'")]
    [InlineData("{\"http_auth_enabled\":1,\"users\":[]}", "http_auth_enabled must be a boolean, not a number")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[],\"x\":1}", "JSON object has unknown key 'x'")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"new\"}]}", "users[0].password is required: 'new' is a new user")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a\",\"password\":\"\"}]}", "users[0].password must not be empty (leave it out, or null, to keep the current one)")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a\",\"password\":5}]}", "users[0].password must be a string, not a number")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a:b\",\"password\":\"x\"}]}", "users[0].username must not contain ':', '\"', '\\' or control characters")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"\",\"password\":\"x\"}]}", "users[0].username must not be empty")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a\",\"password\":\"x\"},{\"username\":\"a\",\"password\":\"y\"}]}", "users[1].username 'a' is already users[0]")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a\",\"password\":\"x\",\"role\":1}]}", "users[0] has unknown key 'role'")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"a\",\"digest_hash\":\"0123456789abcdef0123456789abcdef\"}]}", "users[0] has unknown key 'digest_hash'")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[7]}", "users[0] must be a JSON object")]
    [InlineData("{\"http_auth_enabled\":false,\"users\":[{\"username\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"password\":\"x\"}]}", "users[0].username is longer than 32 characters")]
    public void UsersConfig_Rejected_NamesTheField_ChangesNothing(string body, string message)
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "/users/config", "{\"http_auth_enabled\":false,\"users\":[{\"username\":\"admin\",\"password\":\"pw\"}]}").Item1);
        var before = store.Files[UsersConfig.File].ToArray();
        Assert.Equal((400, message), Call(app, "POST", "/users/config", body));
        Assert.Equal(before, store.Files[UsersConfig.File]);
        Assert.False(app.Users.HttpAuthEnabled);
        Assert.Equal(new[] { "admin" }, app.Users.Usernames);
    }

    [Fact]
    public void UsersConfig_SeventeenUsersAreTooMany()
    {
        var app = NewApp();
        string users = string.Join(",", Enumerable.Range(0, 17).Select(i => $"{{\"username\":\"u{i}\",\"password\":\"p\"}}"));
        Assert.Equal((400, "users has 17 entries, at most 16 are allowed"), Call(app, "POST", "/users/config", "{\"http_auth_enabled\":true,\"users\":[" + users + "]}"));
    }

    [Fact]
    public void ResetFile_DisablesAuthAndDeletesTheUsers_Logged()
    {
        var app = NewApp();
        Call(app, "POST", "/users/config", "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":\"lost\"}]}");
        Call(app, "POST", "/users/config", "{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":\"lost2\"}]}");
        Assert.True(store.Exists(UsersConfig.File + ".bak"));
        store.Write(UsersConfig.ResetFile, new byte[0], 0);
        var rebooted = NewApp();
        Assert.False(rebooted.Users.HttpAuthEnabled);
        Assert.Empty(rebooted.Users.Usernames);
        Assert.False(store.Exists(UsersConfig.ResetFile));
        Assert.DoesNotContain(store.Files.Keys, k => k.StartsWith("users_config"));
        Assert.Contains(Enumerable.Range(0, rebooted.Log.Count).Select(rebooted.Log.Line), l => l.Contains("users_reset found"));
    }

    [Fact]
    public void DamagedUsersFile_FailsClosed()
    {
        store.Write(UsersConfig.File, Encoding.UTF8.GetBytes("{\"http_auth_enabled\":true,\"users\":[{\"username\":\"a\",\"digest_hash\":\"xyz\"}]}"), 70);
        var app = NewApp();
        Assert.True(app.Users.HttpAuthEnabled && app.Users.Locked);
        var auth = new HttpAuth(new byte[16]);
        Assert.Equal(401, auth.Check(app.Users, "GET", "/charge_manager/state", "/charge_manager/state", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("a:x")), "c", 1));
    }

    [Fact]
    public void UsersConfig_WritableOverMqtt_LikeEveryConfig()
    {
        var app = NewApp();
        var body = Encoding.UTF8.GetBytes("{\"http_auth_enabled\":true,\"users\":[{\"username\":\"m\",\"password\":\"p\"}]}");
        Assert.True(app.HandleMqtt("users/config_update", body, body.Length, 1000));
        Assert.True(app.Users.HttpAuthEnabled);
    }
}

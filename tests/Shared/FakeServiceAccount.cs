using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace LlmMux.Testing;

/// <summary>
/// A Google service account for tests: a fresh RSA key, its key file JSON (as the Cloud console downloads it), and the
/// checks Google's token endpoint makes on a JWT-bearer assertion (signature with the account's public key, RS256,
/// iss, aud, scope, an iat/exp no more than an hour apart and not expired).
/// </summary>
public sealed class FakeServiceAccount : IDisposable
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly RSA _rsa = RSA.Create(2048);

    public FakeServiceAccount(string tokenUri, string clientEmail = "mux-sa@proj-e2e.iam.gserviceaccount.com", string projectId = "proj-e2e")
    {
        (TokenUri, ClientEmail, ProjectId) = (tokenUri, clientEmail, projectId);
        PrivateKeyPem = _rsa.ExportPkcs8PrivateKeyPem();
    }

    public string TokenUri { get; }

    public string ClientEmail { get; }

    public string ProjectId { get; }

    public string PrivateKeyPem { get; }

    public string PrivateKeyId { get; } = "0123456789abcdef0123456789abcdef01234567";

    /// <summary>The key file, optionally with fields changed or removed (null removes).</summary>
    public string KeyJson(params (string Field, string? Value)[] changes)
    {
        var json = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = PrivateKeyId,
            ["private_key"] = PrivateKeyPem,
            ["client_email"] = ClientEmail,
            ["client_id"] = "112233445566778899001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUri,
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["universe_domain"] = "googleapis.com",
        };
        foreach (var (field, value) in changes)
        {
            if (value is null)
            {
                json.Remove(field);
            }
            else
            {
                json[field] = value;
            }
        }

        return json.ToJsonString();
    }

    /// <summary>Null when Google would accept the assertion for this account; else the reason it refuses it.</summary>
    public string? Reject(string? assertion, DateTimeOffset now, string? audience = null)
    {
        var parts = assertion?.Split('.');
        if (parts is not { Length: 3 })
        {
            return "not a JWT";
        }

        JsonNode? header, claims;
        try
        {
            header = JsonNode.Parse(Base64UrlDecode(parts[0]));
            claims = JsonNode.Parse(Base64UrlDecode(parts[1]));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return "undecodable JWT";
        }

        if (header?["alg"]?.GetValue<string>() != "RS256")
        {
            return "alg is not RS256";
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!_rsa.VerifyData(signed, Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }

        if (claims?["iss"]?.GetValue<string>() != ClientEmail)
        {
            return "Invalid issuer";
        }

        if (claims["aud"]?.GetValue<string>() != (audience ?? TokenUri))
        {
            return "Invalid JWT audience";
        }

        if (claims["scope"]?.GetValue<string>() is not { } scope || !scope.Split(' ').Contains(CloudPlatformScope))
        {
            return "Invalid scope";
        }

        var iat = claims["iat"]?.GetValue<long>() ?? 0;
        var exp = claims["exp"]?.GetValue<long>() ?? 0;
        if (exp <= iat || exp - iat > 3600 || exp <= now.ToUnixTimeSeconds() || iat > now.ToUnixTimeSeconds() + 300)
        {
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
        }

        return null;
    }

    public void Dispose() => _rsa.Dispose();

    private static byte[] Base64UrlDecode(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

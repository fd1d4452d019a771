using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LlmMux.Accounts.Providers.Vertex;

/// <summary>
/// The signed assertion of Google's service-account grant (RFC 7523): an RS256 JWT with <c>iss</c> the client e-mail,
/// <c>scope</c>, <c>aud</c> the token endpoint, <c>iat</c> and <c>exp</c> one hour later.
/// </summary>
internal static class VertexJwt
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static string Create(ServiceAccountKey key, string audience, string scope, DateTimeOffset now)
    {
        var header = Json(w =>
        {
            w.WriteString("alg", "RS256");
            w.WriteString("typ", "JWT");
            if (key.PrivateKeyId is { } kid)
            {
                w.WriteString("kid", kid);
            }
        });
        var iat = now.ToUnixTimeSeconds();
        var claims = Json(w =>
        {
            w.WriteString("iss", key.ClientEmail);
            w.WriteString("scope", scope);
            w.WriteString("aud", audience);
            w.WriteNumber("iat", iat);
            w.WriteNumber("exp", iat + (long)Lifetime.TotalSeconds);
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        using var rsa = key.Rsa();
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

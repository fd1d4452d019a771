using System.Security.Cryptography;
using System.Text.Json;

namespace LlmMux.Accounts.Providers.Vertex;

/// <summary>
/// A Google service-account key (the JSON the Cloud console downloads), validated. Holds the private key:
/// <see cref="ToString"/> is redacted and no error message ever quotes a field's value.
/// </summary>
internal sealed record ServiceAccountKey(string ClientEmail, string PrivateKey, string? PrivateKeyId, string ProjectId, string TokenUri)
{
    /// <summary>The <c>type</c> of a key file as Google writes it.</summary>
    public const string KeyType = "service_account";

    /// <summary>Reads and checks a key: type, client_email, a PEM private key that loads as RSA, project_id, token_uri.</summary>
    /// <returns>The key, or null with <paramref name="error"/> saying what is wrong (never a value of the file).</returns>
    public static ServiceAccountKey? Parse(JsonElement json, out string? error) => Parse(json, out error, out _);

    /// <param name="field">The field at fault, when one is.</param>
    public static ServiceAccountKey? Parse(JsonElement json, out string? error, out string? field)
    {
        error = null;
        field = null;
        if (json.ValueKind != JsonValueKind.Object)
        {
            error = "it is not a JSON object";
            return null;
        }

        if (Text(json, "type") != KeyType)
        {
            field = "type";
            error = $"its \"type\" is not \"{KeyType}\" (download a key of the service account: IAM > Service accounts > Keys > Add key > JSON)";
            return null;
        }

        var email = Text(json, "client_email");
        var pem = Text(json, "private_key");
        var project = Text(json, "project_id");
        var tokenUri = Text(json, "token_uri");
        var missing = email is null ? "client_email" : pem is null ? "private_key" : project is null ? "project_id" : tokenUri is null ? "token_uri" : null;
        if (missing is not null)
        {
            field = missing;
            error = $"it has no \"{missing}\"";
            return null;
        }

        if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            field = "token_uri";
            error = "its \"token_uri\" is not an https URL";
            return null;
        }

        if (!LoadsAsRsa(pem!))
        {
            field = "private_key";
            error = "its \"private_key\" is not an RSA private key in PEM form";
            return null;
        }

        return new ServiceAccountKey(email!, pem!, Text(json, "private_key_id"), project!, tokenUri!);
    }

    /// <summary>The RSA key (the caller disposes it).</summary>
    public RSA Rsa()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(PrivateKey);
        return rsa;
    }

    public override string ToString() => $"ServiceAccountKey {{ ClientEmail = {ClientEmail}, ProjectId = {ProjectId} }}";

    private static bool LoadsAsRsa(string pem)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa.KeySize >= 1024;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}

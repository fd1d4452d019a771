using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmMux.Accounts.Providers;

namespace LlmMux.Accounts.Store;

/// <summary>Parsing, validation and naming of account files.</summary>
internal static class AccountFiles
{
    public const string Extension = ".json";

    /// <summary>Parses one file's bytes. Returns the reason when the file cannot be served (never its content).</summary>
    public static bool TryParse(SubscriptionProviders providers, string id, ReadOnlySpan<byte> json, out AccountFile? file, out Account? account, out string? reason)
    {
        file = null;
        account = null;
        try
        {
            file = JsonSerializer.Deserialize(json, AccountJsonContext.Default.AccountFile);
        }
        catch (JsonException)
        {
            reason = "not valid JSON for an account file";
            return false;
        }

        if (file is null)
        {
            reason = "empty document";
            return false;
        }

        if (providers.Resolve(file.Type) is not { } provider)
        {
            reason = file.Type is null ? "no \"type\" field" : "unsupported account type";
            file = null;
            return false;
        }

        if (provider.MissingField(file) is { } missing)
        {
            reason = $"no \"{missing}\" field";
            file = null;
            return false;
        }

        account = ToAccount(id, provider, file);
        reason = null;
        return true;
    }

    public static Account ToAccount(string id, SubscriptionProvider provider, AccountFile file)
    {
        var disabled = file.Disabled == true;
        var state = disabled
            ? AccountState.Disabled
            : string.Equals(file.State, AccountFile.ExpiredState, StringComparison.OrdinalIgnoreCase) ? AccountState.Expired
            : string.Equals(file.State, AccountFile.RetiredState, StringComparison.OrdinalIgnoreCase) ? AccountState.Retired
            : AccountState.Ready;
        return new Account(
            id,
            provider.Type,
            provider.Identity(file) ?? IdentityFromId(id),
            string.IsNullOrEmpty(file.Label) ? null : file.Label,
            disabled,
            provider.Expiry(file),
            state,
            provider.Details(file))
        {
            StateReason = state == AccountState.Retired && !string.IsNullOrWhiteSpace(file.StateReason) ? file.StateReason : null,
        };
    }

    public static DateTimeOffset? ParseTime(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;

    /// <summary>RFC 3339 as Go's time.RFC3339 writes it.</summary>
    public static string FormatTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The id (file name without extension) for a new account: <c>&lt;type&gt;-&lt;identity&gt;</c>.</summary>
    public static string IdFor(SubscriptionProvider provider, string identity) => provider.FileType + "-" + Sanitize(identity);

    /// <summary>Keeps letters, digits and <c>@ . _ + -</c>; everything else (path separators included) becomes <c>_</c>.</summary>
    public static string Sanitize(string identity)
    {
        var builder = new StringBuilder(identity.Length);
        foreach (var c in identity.Trim())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '@' or '.' or '_' or '+' or '-' ? c : '_');
        }

        var result = builder.ToString().Trim('.');
        return result.Length == 0 ? "account" : result;
    }

    public static bool IsValidId(string id) =>
        id.Length > 0 && id[0] != '.' && id.IndexOfAny(['/', '\\', '\0']) < 0 && id != "..";

    private static string IdentityFromId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && dash < id.Length - 1 ? id[(dash + 1)..] : id;
    }
}

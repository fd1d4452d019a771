namespace LlmMux.Gateway.Configuration;

/// <summary>
/// The rule for files that hold keys or tokens (the config, the auth dir and its account files): the user's alone.
/// <c>serve</c> warns by it at start and <c>llm-mux doctor</c> checks by it.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static bool OpenToOthers(UnixFileMode mode) => (mode & GroupOrOther) != 0;

    /// <summary>The mode as <c>chmod</c> takes it, e.g. <c>0644</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    /// <summary>Whether the config itself holds a secret: client or upstream keys, an OAuth client secret, the management secret (or its hash).</summary>
    public static bool HoldsSecrets(LlmMuxOptions options)
        => options.ApiKeys.Count > 0 || options.Management.SecretKey.Length > 0
            || options.Providers.Any(p => p.ApiKeys.Count > 0 || p.Oauth?.ClientSecret is { Length: > 0 });
}

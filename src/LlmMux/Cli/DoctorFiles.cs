using LlmMux.Accounts.Store;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// The checks of <c>llm-mux doctor</c> that read files only: the config's and the auth dir's permissions, and each
/// login account's token as the account file has it (expiry, and the state a gateway wrote when the provider refused a
/// refresh). Nothing here calls a provider, so no quota is spent and no rotating refresh token is used up.
/// </summary>
internal static class DoctorFiles
{
    public static IEnumerable<DoctorCheck> ConfigPermissions(string path, LlmMuxOptions options)
    {
        if (OperatingSystem.IsWindows())
        {
            yield break;
        }

        var mode = File.GetUnixFileMode(path);
        var readable = (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        var secrets = PrivateFiles.HoldsSecrets(options);
        var who = (mode & UnixFileMode.OtherRead) != 0 ? "everyone on this machine" : "its group";
        yield return !readable
            ? DoctorCheck.Ok("config permissions", $"{path} is {PrivateFiles.Octal(mode)}, readable by you only")
            : secrets
            ? DoctorCheck.Fail("config permissions", $"{path} is {PrivateFiles.Octal(mode)}: {who} can read the keys in it; run `chmod 600 {path}`")
            : DoctorCheck.Warn("config permissions", $"{path} is {PrivateFiles.Octal(mode)}: {who} can read it (no keys in it now); run `chmod 600 {path}` before adding any");
    }

    public static IEnumerable<DoctorCheck> AuthDir(string dir, AccountStore store, DateTimeOffset now)
    {
        if (!Directory.Exists(dir))
        {
            yield return DoctorCheck.Ok("auth dir", $"{dir} does not exist yet (no login accounts; `llm-mux login` creates it 0700)");
            yield break;
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(dir);
            yield return !PrivateFiles.OpenToOthers(mode)
                ? DoctorCheck.Ok("auth dir permissions", $"{dir} is {PrivateFiles.Octal(mode)}")
                : DoctorCheck.Warn("auth dir permissions", $"{dir} is {PrivateFiles.Octal(mode)}: others can list or enter it; run `chmod 700 {dir}`");
            foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                var fileMode = File.GetUnixFileMode(file);
                if (PrivateFiles.OpenToOthers(fileMode))
                {
                    yield return DoctorCheck.Fail("account file permissions", $"{file} is {PrivateFiles.Octal(fileMode)}: others can read its tokens; run `chmod 600 {file}`");
                }
            }
        }

        foreach (var skipped in store.SkippedFiles)
        {
            yield return DoctorCheck.Fail($"account file {skipped.FileName}", $"not usable, so not served: {skipped.Reason}");
        }

        foreach (var account in store.Accounts)
        {
            yield return Token(account, now);
        }
    }

    private static DoctorCheck Token(Account account, DateTimeOffset now)
    {
        var subject = $"account {account.Id}";
        return account.State switch
        {
            AccountState.Disabled => DoctorCheck.Warn(subject, $"disabled: not used (`llm-mux accounts enable {account.Id}` turns it back on)"),
            AccountState.Expired => DoctorCheck.Fail(subject, $"token expired and {account.Type} refused to refresh it; run `llm-mux login {account.Type}` again"),
            AccountState.Retired => DoctorCheck.Fail(subject, $"retired: {account.StateReason}"),
            _ when account.Expiry is { } expiry && expiry <= now => DoctorCheck.Warn(subject,
                $"access token expired at {AccountsCommand.Expires(expiry)}; the gateway refreshes it on first use (not checked against {account.Type})"),
            _ when account.Expiry is { } expiry => DoctorCheck.Ok(subject, $"token valid until {AccountsCommand.Expires(expiry)} (not checked against {account.Type})"),
            _ => DoctorCheck.Ok(subject, $"no expiry stored (not checked against {account.Type})"),
        };
    }
}

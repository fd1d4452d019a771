using Microsoft.Extensions.Logging;

namespace LlmMux.Accounts.Logging;

/// <summary>Every log line of the accounts library. Account ids and file names only — never a token or file content.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Loaded {Count} accounts from {Directory} ({Skipped} files skipped)")]
    public static partial void AccountsLoaded(ILogger logger, int count, int skipped, string directory);

    [LoggerMessage(101, LogLevel.Warning, "Skipping account file {FileName}: {Reason}")]
    public static partial void FileSkipped(ILogger logger, string fileName, string reason);

    [LoggerMessage(102, LogLevel.Warning, "Auth dir watcher problem ({Error}); rescanning")]
    public static partial void WatcherError(ILogger logger, string error);

    [LoggerMessage(110, LogLevel.Information, "Refreshed the token of account {AccountId}; valid until {Expiry}")]
    public static partial void Refreshed(ILogger logger, string accountId, DateTimeOffset? expiry);

    [LoggerMessage(111, LogLevel.Warning, "Refreshing account {AccountId} failed: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string accountId, string reason);

    [LoggerMessage(112, LogLevel.Warning, "Account {AccountId} was rejected by its provider ({Reason}); marked expired, run 'llm-mux login {Type}'")]
    public static partial void MarkedExpired(ILogger logger, string accountId, string reason, string type);

    [LoggerMessage(130, LogLevel.Warning, "Account {AccountId} is no longer served by its provider; marked retired: {Reason}")]
    public static partial void MarkedRetired(ILogger logger, string accountId, string reason);

    [LoggerMessage(113, LogLevel.Debug, "Exchanged the stored token of account {AccountId}; valid until {Expiry}")]
    public static partial void TokenExchanged(ILogger logger, string accountId, DateTimeOffset? expiry);

    [LoggerMessage(114, LogLevel.Warning, "Background refresh pass failed: {Reason}")]
    public static partial void BackgroundPassFailed(ILogger logger, string reason);

    [LoggerMessage(115, LogLevel.Error, "Rotated token not persisted for account {AccountId} ({Error}); it is kept in memory and the write is retried")]
    public static partial void RotatedTokenNotPersisted(ILogger logger, string accountId, string error);

    [LoggerMessage(116, LogLevel.Information, "Rotated token of account {AccountId} persisted after an earlier failure")]
    public static partial void RotatedTokenPersisted(ILogger logger, string accountId);

    [LoggerMessage(117, LogLevel.Information, "Account {AccountId} was refreshed by another process; using its token")]
    public static partial void RefreshedElsewhere(ILogger logger, string accountId);

    [LoggerMessage(118, LogLevel.Debug, "No lock file for account {AccountId}; refreshing without the cross-process lock")]
    public static partial void RefreshingUnlocked(ILogger logger, string accountId);

    [LoggerMessage(119, LogLevel.Warning, "Refreshing account {AccountId} failed: {Reason}; next attempt after {RetryAfter}")]
    public static partial void RefreshBackingOff(ILogger logger, string accountId, string reason, DateTimeOffset retryAfter);
}

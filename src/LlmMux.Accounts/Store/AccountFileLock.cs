using System.Diagnostics;

namespace LlmMux.Accounts.Store;

/// <summary>
/// An exclusive lock on <c>&lt;account file&gt;.lock</c>, held around a refresh and its persist so that two llm-mux
/// processes sharing an auth dir never both spend the same rotating refresh token. The OS drops the lock when its
/// holder dies, so a crash leaves no stale lock (the empty file stays; the store never reads it). Where the OS
/// refuses the lock file (read-only dir, file systems without locks) the refresh goes on unlocked: one process
/// refreshing unlocked beats every process failing.
/// </summary>
internal sealed class AccountFileLock : IDisposable
{
    public const string Suffix = ".lock";

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    private readonly FileStream? _stream;

    private AccountFileLock(FileStream? stream) => _stream = stream;

    /// <summary>False when the OS refused a lock file and the caller runs unlocked.</summary>
    public bool Held => _stream is not null;

    /// <summary>
    /// Takes the lock of <paramref name="accountPath"/>, retrying for up to <paramref name="wait"/> while another
    /// process holds it. Throws <see cref="TimeoutException"/> when it is still held after that.
    /// </summary>
    public static async Task<AccountFileLock> AcquireAsync(string accountPath, TimeSpan wait, CancellationToken ct)
    {
        var path = accountPath + Suffix;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // Real time, not the service's clock: this waits for another process, which a test clock does not move.
        var started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                return new AccountFileLock(new FileStream(path, options));
            }
            catch (IOException e) when (IsHeldByOther(e))
            {
                if (Stopwatch.GetElapsedTime(started) >= wait)
                {
                    throw new TimeoutException($"Another process holds '{Path.GetFileName(path)}'.", e);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                return new AccountFileLock(null);
            }

            await Task.Delay(pause, ct).ConfigureAwait(false);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    public void Dispose() => _stream?.Dispose();

    /// <summary>EWOULDBLOCK from flock (Linux 11, macOS 35), or ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.</summary>
    private static bool IsHeldByOther(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult is 11 or 35;
}

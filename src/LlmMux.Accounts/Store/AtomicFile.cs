namespace LlmMux.Accounts.Store;

/// <summary>
/// Crash-safe replacement of a file: the bytes go to a hidden temp file in the same directory (0600), are flushed
/// to disk, and only then renamed over the target. A crash leaves either the old file or the new one, plus at worst
/// a stray <c>.*.tmp</c> file that the store never reads.
/// </summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    /// <summary>Test hook: runs after the temp file is durable and before the rename.</summary>
    internal static Action<string>? BeforeRenameForTest { get; set; }

    public static bool IsTempName(string fileName) => fileName.StartsWith('.') || fileName.EndsWith(TempSuffix, StringComparison.Ordinal);

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var (temp, options) = Prepare(path);
        try
        {
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The same, synchronously (config rewrites on the reload path).</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var (temp, options) = Prepare(path);
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static (string Temp, FileStreamOptions Options) Prepare(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException("Path has no directory.", nameof(path));
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..12] + TempSuffix);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return (temp, options);
    }

    private static void Commit(string temp, string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        BeforeRenameForTest?.Invoke(temp);
        File.Move(temp, path, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

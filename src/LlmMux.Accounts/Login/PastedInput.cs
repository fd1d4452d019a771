using System.Threading.Channels;

namespace LlmMux.Accounts.Login;

/// <summary>
/// The paste box of a login run somewhere without a console (the management API, the dashboard): each
/// <see cref="Paste"/> is one line a browser login reads as the redirected URL or code, as the CLI reads a line typed
/// at its prompt. A device-code login never reads it, so <see cref="IsWaiting"/> tells whether a paste can be used.
/// </summary>
public sealed class PastedInput : TextReader
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.Wait });
    private int _waiting;

    /// <summary>True once the login waits for its redirect (and may take it from here).</summary>
    public bool IsWaiting => Volatile.Read(ref _waiting) == 1;

    /// <summary>Hands the login a pasted line; false when it no longer reads any (it ended, or pastes are piling up).</summary>
    public bool Paste(string line) => _lines.Writer.TryWrite(line.ReplaceLineEndings(" ").Trim());

    /// <summary>Ends the input: the login, if still reading, stops waiting for a paste.</summary>
    public void Complete() => _lines.Writer.TryComplete();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _waiting, 1);
        try
        {
            return await _lines.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        Complete();
        base.Dispose(disposing);
    }
}

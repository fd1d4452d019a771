using LlmMux.Gateway.Management;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Tests.Management;

public sealed class UsageLedgerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llm-mux-ledger-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Requests_are_counted_in_memory_and_written_as_one_line_per_key_per_flush()
    {
        var path = Path.Combine(_dir, "usage.jsonl");
        var day = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        using (var ledger = new UsageLedger(path, NullLogger<UsageLedger>.Instance))
        {
            ledger.Record(day, "p", "p/key-1", "m", 10, 1);
            ledger.Record(day, "p", "p/key-1", "m", 20, 2);
            ledger.Record(day.AddDays(1), "p", "p/key-1", "m", 5, 5);
            Assert.Equal(2, ledger.Rows().Count); // counted before anything is written
            ledger.Flush();
            Assert.Equal(2, File.ReadAllLines(path).Length); // one line per (day, provider, account, model)
            ledger.Record(day, "p", "p/key-1", "m", 1, 1);
        } // dispose flushes the last second

        using var replayed = new UsageLedger(path, NullLogger<UsageLedger>.Instance);
        var first = Assert.Single(replayed.Rows(), r => r.Day == "2026-11-28");
        Assert.Equal((3L, 31L, 4L), (first.Requests, first.InputTokens, first.OutputTokens));
        var second = Assert.Single(replayed.Rows(), r => r.Day == "2026-11-29");
        Assert.Equal((1L, 5L, 5L), (second.Requests, second.InputTokens, second.OutputTokens));
    }

    [Fact]
    public void Each_client_key_is_its_own_row_and_survives_a_restart()
    {
        var path = Path.Combine(_dir, "usage.jsonl");
        var day = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        using (var ledger = new UsageLedger(path, NullLogger<UsageLedger>.Instance))
        {
            ledger.Record(day, "p", "p/key-1", "m", 10, 1, "key-aaaaaaaa");
            ledger.Record(day, "p", "p/key-1", "m", 20, 2, "key-bbbbbbbb");
            ledger.Record(day, "p", "p/key-1", "m", 30, 3, "key-bbbbbbbb");
            ledger.Record(day, "p", "p/key-1", "m", 1, 1); // a loopback caller without api-keys
        }

        var written = File.ReadAllText(path);
        Assert.Contains("\"client_key\":\"key-bbbbbbbb\"", written, StringComparison.Ordinal);
        using var replayed = new UsageLedger(path, NullLogger<UsageLedger>.Instance);
        var rows = replayed.Rows();
        Assert.Equal(new string?[] { null, "key-aaaaaaaa", "key-bbbbbbbb" }, rows.Select(r => r.ClientKey));
        Assert.Equal((2L, 50L, 5L), (rows[2].Requests, rows[2].InputTokens, rows[2].OutputTokens));
        Assert.Equal((1L, 10L, 1L), (rows[1].Requests, rows[1].InputTokens, rows[1].OutputTokens));
    }

    [Fact]
    public void A_ledger_written_before_client_keys_were_counted_still_loads_and_stays_apart_from_keyed_usage()
    {
        var path = Path.Combine(_dir, "usage.jsonl");
        File.WriteAllText(path, """
            {"day":"2026-11-27","provider":"p","account":"p/key-1","model":"m","in":7,"out":3}
            {"day":"2026-11-27","provider":"p","account":"p/key-1","model":"m","in":40,"out":6,"n":4}

            """);
        using (var ledger = new UsageLedger(path, NullLogger<UsageLedger>.Instance))
        {
            var old = Assert.Single(ledger.Rows());
            Assert.Equal(((string?)null, 5L, 47L, 9L), (old.ClientKey, old.Requests, old.InputTokens, old.OutputTokens));
            ledger.Record(new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.Zero), "p", "p/key-1", "m", 1, 1, "key-aaaaaaaa");
        }

        // Compacted at start without a client_key field for the old row, so an older llm-mux reads it too.
        Assert.DoesNotContain("client_key\":null", File.ReadAllText(path), StringComparison.Ordinal);
        using var replayed = new UsageLedger(path, NullLogger<UsageLedger>.Instance);
        Assert.Equal(new (string?, long)[] { (null, 5L), ("key-aaaaaaaa", 1L) }, replayed.Rows().Select(r => (r.ClientKey, r.Requests)));
    }
}

using LlmMux.Gateway.Management;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmMux.Gateway.Tests.Management;

public sealed class UsageLedgerTests
{
    [Fact]
    public void Requests_are_counted_in_memory_and_written_as_one_line_per_key_per_flush()
    {
        var dir = Directory.CreateTempSubdirectory("llm-mux-ledger-").FullName;
        try
        {
            var path = Path.Combine(dir, "usage.jsonl");
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
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

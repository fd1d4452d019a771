namespace LlmMux.Cli;

/// <summary>Plain-text columns, two spaces apart; the last column is not padded (no trailing blanks).</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Row(header, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Row(row, widths));
        }
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
}

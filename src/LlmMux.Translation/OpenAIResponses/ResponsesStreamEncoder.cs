using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;
using LlmMux.Translation.Ir;

namespace LlmMux.Translation.OpenAIResponses;

/// <summary>IR events → Responses SSE: response.created, in_progress, then per output item
/// output_item.added / deltas / *.done / output_item.done, ending with response.completed (the official name,
/// not llm-mux's response.done). The completed event repeats the finished output items, which are kept as the
/// bytes already written for output_item.done (proportional to this response only).</summary>
internal sealed class ResponsesStreamEncoder(StreamContext context) : IrStreamEncoder
{
    private enum Item
    {
        None,
        Message,
        Reasoning,
        Call,
    }

    private readonly StringBuilder _itemText = new();
    private readonly ArrayBufferWriter<byte> _doneItems = new();
    private long _createdAt;
    private bool _started;
    private int _sequence;
    private int _outputIndex = -1;
    private Item _open;
    private string _itemId = string.Empty;
    private int _openCall = -1;
    private string? _callId;
    private string? _callName;
    private string? _encrypted;
    private bool _sawToolCall;

    protected override void OnStart(IBufferWriter<byte> output) => EnsureStarted(output);

    protected override void OnText(IBufferWriter<byte> output, string text)
    {
        Open(output, Item.Message, -1, null, null);
        _itemText.Append(text);
        var w = Begin(output, "response.output_text.delta"u8);
        w.WriteString("item_id"u8, _itemId);
        w.WriteNumber("output_index"u8, _outputIndex);
        w.WriteNumber("content_index"u8, 0);
        w.WriteString("delta"u8, text);
        w.WritePropertyName("logprobs"u8);
        w.WriteStartArray();
        w.WriteEndArray();
        End(output);
    }

    protected override void OnReasoning(IBufferWriter<byte> output, string text)
    {
        Open(output, Item.Reasoning, -1, null, null);
        _itemText.Append(text);
        var w = Begin(output, "response.reasoning_summary_text.delta"u8);
        w.WriteString("item_id"u8, _itemId);
        w.WriteNumber("output_index"u8, _outputIndex);
        w.WriteNumber("summary_index"u8, 0);
        w.WriteString("delta"u8, text);
        End(output);
    }

    // Redacted reasoning has no Responses form (drop table).
    protected override void OnReasoningSignature(IBufferWriter<byte> output, string signature)
    {
        Open(output, Item.Reasoning, -1, null, null);
        _encrypted = signature;
        Close(output);
    }

    protected override void OnToolCallStart(IBufferWriter<byte> output, IrToolCallStart call)
    {
        _sawToolCall = true;
        if (call.Signature is { } callSignature)
        {
            // Carried as its own reasoning item's encrypted content, which Responses clients replay.
            EnsureStarted(output);
            Close(output);
            OnReasoningSignature(output, callSignature);
        }

        Open(output, Item.Call, call.Index, call.Id, call.Name);
    }

    protected override void OnToolCallDelta(IBufferWriter<byte> output, IrToolCallDelta delta)
    {
        if (_open == Item.Call && _openCall == delta.Index)
        {
            _itemText.Append(delta.ArgumentsFragment);
            var w = Begin(output, "response.function_call_arguments.delta"u8);
            w.WriteString("item_id"u8, _itemId);
            w.WriteNumber("output_index"u8, _outputIndex);
            w.WriteString("delta"u8, delta.ArgumentsFragment);
            End(output);
        }
    }

    public override void Complete(IBufferWriter<byte> output)
    {
        if (Done)
        {
            return;
        }

        EnsureStarted(output);
        Close(output);
        var finish = FinishReasons.Normalise(Finish ?? IrFinishReason.Stop, _sawToolCall);
        var w = Begin(output, finish is IrFinishReason.MaxTokens or IrFinishReason.ContentFilter ? "response.incomplete"u8 : "response.completed"u8);
        WriteResponse(w, finish);
        End(output);
        MarkDone();
    }

    public override void WriteError(IBufferWriter<byte> output, int status, string message, string? code)
    {
        if (Done)
        {
            return;
        }

        var w = Begin(output, "error"u8);
        if (code is null)
        {
            w.WriteNull("code"u8);
        }
        else
        {
            w.WriteString("code"u8, code);
        }

        w.WriteString("message"u8, message);
        w.WriteNull("param"u8);
        End(output);
        MarkDone();
    }

    private Utf8JsonWriter Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        var w = BeginSse(output, type);
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteNumber("sequence_number"u8, _sequence++);
        _event = w;
        return w;
    }

    /// <summary>Closes the event object opened by <see cref="Begin"/> and ends the SSE frame.</summary>
    private void End(IBufferWriter<byte> output)
    {
        _event!.WriteEndObject();
        EndSse(output);
    }

    private Utf8JsonWriter? _event;

    private void WriteResponse(Utf8JsonWriter w, IrFinishReason? finish)
    {
        w.WritePropertyName("response"u8);
        w.WriteStartObject();
        w.WriteString("id"u8, Id ??= Ids.NewResponseId());
        w.WriteString("object"u8, "response"u8);
        w.WriteNumber("created_at"u8, _createdAt);
        ResponsesResponse.WriteStatus(w, finish);
        w.WriteNull("error"u8);
        w.WriteString("model"u8, context.Model ?? Model ?? string.Empty);
        w.WritePropertyName("output"u8);
        w.WriteStartArray();
        if (finish is not null && _doneItems.WrittenCount > 0)
        {
            // Items were written comma-separated as they completed.
            w.WriteRawValue(_doneItems.WrittenSpan[..^1], skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls"u8, true);
        ResponsesResponse.WriteUsage(w, finish is null ? null : Usage);
        w.WriteEndObject();
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _createdAt = NowUnix();
        var w = Begin(output, "response.created"u8);
        WriteResponse(w, null);
        End(output);
        w = Begin(output, "response.in_progress"u8);
        WriteResponse(w, null);
        End(output);
    }

    private void Open(IBufferWriter<byte> output, Item kind, int call, string? callId, string? name)
    {
        EnsureStarted(output);
        if (_open == kind && (kind != Item.Call || _openCall == call))
        {
            return;
        }

        Close(output);
        _open = kind;
        _outputIndex++;
        _itemText.Clear();
        _encrypted = null;
        _openCall = call;
        _callId = callId;
        _callName = name;
        _itemId = kind switch
        {
            Item.Message => "msg_",
            Item.Reasoning => "rs_",
            _ => "fc_",
        } + (Id ?? "x") + "_" + _outputIndex;

        var w = Begin(output, "response.output_item.added"u8);
        w.WriteNumber("output_index"u8, _outputIndex);
        w.WritePropertyName("item"u8);
        switch (kind)
        {
            case Item.Message:
                w.WriteStartObject();
                w.WriteString("id"u8, _itemId);
                w.WriteString("type"u8, "message"u8);
                w.WriteString("status"u8, "in_progress"u8);
                w.WriteString("role"u8, "assistant"u8);
                w.WritePropertyName("content"u8);
                w.WriteStartArray();
                w.WriteEndArray();
                w.WriteEndObject();
                End(output);
                w = Begin(output, "response.content_part.added"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("content_index"u8, 0);
                w.WritePropertyName("part"u8);
                ResponsesResponse.WriteOutputText(w, string.Empty);
                break;
            case Item.Reasoning:
                ResponsesResponse.WriteReasoningItem(w, _itemId, string.Empty, null);
                End(output);
                w = Begin(output, "response.reasoning_summary_part.added"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("summary_index"u8, 0);
                w.WritePropertyName("part"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "summary_text"u8);
                w.WriteString("text"u8, string.Empty);
                w.WriteEndObject();
                break;
            default:
                ResponsesResponse.WriteFunctionCallItem(w, _itemId, callId!, name!, string.Empty, "in_progress");
                break;
        }

        End(output);
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (_open == Item.None)
        {
            return;
        }

        string text = _itemText.ToString();
        Utf8JsonWriter w;
        switch (_open)
        {
            case Item.Message:
                w = Begin(output, "response.output_text.done"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("content_index"u8, 0);
                w.WriteString("text"u8, text);
                End(output);
                w = Begin(output, "response.content_part.done"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("content_index"u8, 0);
                w.WritePropertyName("part"u8);
                ResponsesResponse.WriteOutputText(w, text);
                End(output);
                break;
            case Item.Reasoning:
                w = Begin(output, "response.reasoning_summary_text.done"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("summary_index"u8, 0);
                w.WriteString("text"u8, text);
                End(output);
                w = Begin(output, "response.reasoning_summary_part.done"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteNumber("summary_index"u8, 0);
                w.WritePropertyName("part"u8);
                w.WriteStartObject();
                w.WriteString("type"u8, "summary_text"u8);
                w.WriteString("text"u8, text);
                w.WriteEndObject();
                End(output);
                break;
            default:
                w = Begin(output, "response.function_call_arguments.done"u8);
                w.WriteString("item_id"u8, _itemId);
                w.WriteNumber("output_index"u8, _outputIndex);
                w.WriteString("arguments"u8, text);
                End(output);
                break;
        }

        w = Begin(output, "response.output_item.done"u8);
        w.WriteNumber("output_index"u8, _outputIndex);
        w.WritePropertyName("item"u8);
        WriteItem(w, text);
        End(output);

        // Kept for response.completed, which repeats the finished items.
        using (var copy = new Utf8JsonWriter(_doneItems, JsonWrite.Options))
        {
            WriteItem(copy, text);
        }

        _doneItems.Write(","u8);
        _open = Item.None;
        _openCall = -1;
        _itemText.Clear();
    }

    private void WriteItem(Utf8JsonWriter w, string text)
    {
        switch (_open)
        {
            case Item.Message:
                ResponsesResponse.WriteMessageItem(w, _itemId, text);
                break;
            case Item.Reasoning:
                ResponsesResponse.WriteReasoningItem(w, _itemId, text, _encrypted);
                break;
            default:
                ResponsesResponse.WriteFunctionCallItem(w, _itemId, _callId!, _callName!, text, "completed");
                break;
        }
    }
}

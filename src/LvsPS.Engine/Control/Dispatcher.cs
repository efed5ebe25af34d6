using System.Reflection;
using System.Text.Json;

namespace LvsPS.Engine.Control;

/// <summary>
/// lvsd's one dispatcher: a request names an <see cref="IDirector"/> operation (<see cref="DirectorOperations"/>),
/// its arguments are decoded by the method's parameter types, the operation runs on the director, and its result
/// is encoded by the method's return type. An operation that changes the configuration is saved (and logged)
/// before it is answered, under one lock, so every applied change is answered and the state file always holds
/// what was last answered. Adding an operation to IDirector needs nothing here.
/// </summary>
internal sealed class Dispatcher
{
    private readonly IDirector _director;
    private readonly Action<DirectorOperation, object?[]>? _afterChange;
    private readonly object _changes = new();

    /// <param name="director">Carries the operations out (the engine).</param>
    /// <param name="afterChange">Runs after each configuration change, before the answer (saves the state file).</param>
    public Dispatcher(IDirector director, Action<DirectorOperation, object?[]>? afterChange = null)
    {
        _director = director;
        _afterChange = afterChange;
    }

    /// <summary>Carries out one request line; never throws: whatever goes wrong, the answer says so.</summary>
    public string Handle(string line)
    {
        DirectorReply reply;
        DirectorRequest? request = null;
        try
        {
            request = Decode(line);
            reply = Handle(request);
        }
        catch (LvsException e)
        {
            reply = DirectorReply.Failure(e);
        }
        catch (Exception e) when (request is null || e is JsonException or FormatException)
        {
            reply = DirectorReply.Failure(new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument, "Malformed request: " + e.Message));
        }
        catch (Exception e)
        {
            // A request the operation could not handle (a null where a list belongs ...): answered, never dropped.
            DirectorLog.Shared.Write(0, LvsLogSeverity.Error, LvsLogSource.Control, $"control: {request?.Op}: {e}");
            reply = DirectorReply.Failure(new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument,
                $"The director could not carry out '{request?.Op}' ({e.GetType().Name}: {e.Message}); check the request's arguments."));
        }
        try
        {
            return JsonSerializer.Serialize(reply, DirectorJson.Options);
        }
        catch (Exception e)
        {
            return JsonSerializer.Serialize(DirectorReply.Failure(new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidOperation,
                $"The answer to '{request?.Op}' could not be encoded: {e.Message}")), DirectorJson.Options);
        }
    }

    /// <summary>The request, its arguments decoded later by their parameter types; a key twice anywhere is refused.</summary>
    private static DirectorRequest Decode(string line)
    {
        var request = JsonSerializer.Deserialize<DirectorRequest>(line, DirectorJson.Options)
            ?? throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument, "Empty request.");
        return request;
    }

    public DirectorReply Handle(DirectorRequest request)
    {
        var op = DirectorOperations.Get(request.Op);
        var args = op.DecodeArguments(request.Args);
        object? result;
        if (op.ChangesConfiguration)
        {
            lock (_changes)
            {
                result = Invoke(op, args);
                _afterChange?.Invoke(op, args);
            }
        }
        else
        {
            result = Invoke(op, args);
        }
        return new DirectorReply
        {
            Ok = true,
            Result = op.ReturnsValue ? JsonSerializer.SerializeToElement(result, op.Method.ReturnType, DirectorJson.Options) : null,
        };
    }

    private object? Invoke(DirectorOperation op, object?[] args)
    {
        try
        {
            return op.Method.Invoke(_director, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

using Grpc.Core;

namespace InfraManager.P4;

/// <summary>The outcome of one update of a Write: the target's p4.v1.Error for it, or why it was not applied.</summary>
internal readonly record struct P4UpdateStatus(StatusCode Code, string Message)
{
    public static P4UpdateStatus Ok { get; } = new(StatusCode.OK, string.Empty);

    public bool IsOk => Code == StatusCode.OK;

    public override string ToString() => IsOk ? "OK" : $"{Code}: {Message}";
}

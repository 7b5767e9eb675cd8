using Proto.P4.Config.V1;

namespace P4Pipeline;

public sealed record MatchFieldInfo(uint Id, string Name, int BitWidth, MatchField.Types.MatchType MatchType)
{
    public int ByteWidth => (BitWidth + 7) / 8;
}

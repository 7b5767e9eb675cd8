namespace P4Pipeline;

public sealed record ActionParamInfo(uint Id, string Name, int BitWidth);

namespace P4Pipeline;

public sealed record ActionInfo(uint Id, string Name, string Alias, IReadOnlyList<ActionParamInfo> Params)
{
    public ActionParamInfo? FindParam(uint id) => Params.FirstOrDefault(p => p.Id == id);

    public ActionParamInfo Param(string name) =>
        Params.FirstOrDefault(p => p.Name == name) ?? throw new P4InfoException($"action {Name} has no parameter '{name}'");
}

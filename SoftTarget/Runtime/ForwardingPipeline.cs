using P4Pipeline;
using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>A committed pipeline: its P4Info, device config and cookie, and the forwarding state of every table and profile.</summary>
internal sealed class ForwardingPipeline
{
    public ForwardingPipeline(ForwardingPipelineConfig config, P4InfoIndex index)
    {
        Config = config;
        Index = index;
        Tables = index.Tables.Values.ToDictionary(t => t.Id, t => new TableState(t));
        Profiles = index.ActionProfiles.Values.ToDictionary(p => p.Id, p => new ActionProfileState(p));
    }

    public ForwardingPipelineConfig Config { get; }

    public P4InfoIndex Index { get; }

    public Dictionary<uint, TableState> Tables { get; }

    public Dictionary<uint, ActionProfileState> Profiles { get; }

    public TableState Table(string name) => Tables[Index.Table(name).Id];

    /// <summary>Makes the writes so far visible to the data plane's LPM lookups (<see cref="TableState.Publish"/>).</summary>
    public void Publish()
    {
        foreach (var table in Tables.Values)
        {
            table.Publish();
        }
    }

    public ActionProfileState Profile(string name) => Profiles[Index.ActionProfile(name).Id];
}

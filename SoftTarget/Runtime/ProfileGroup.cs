using Proto.P4.V1;

namespace SoftTarget.Runtime;

/// <summary>
/// An action selector group. <see cref="Buckets"/> lists each member once per unit of weight; the data
/// plane picks a bucket by flow hash, and the array is replaced whole on MODIFY.
/// </summary>
internal sealed class ProfileGroup
{
    private ProfileMember[] _buckets;

    public ProfileGroup(ActionProfileGroup written, ProfileMember[] buckets)
    {
        Written = written;
        _buckets = buckets;
    }

    public ActionProfileGroup Written { get; set; }

    public ProfileMember[] Buckets
    {
        get => Volatile.Read(ref _buckets);
        set => Volatile.Write(ref _buckets, value);
    }

    public int References { get; set; }
}

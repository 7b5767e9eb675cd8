namespace ArpProxy.Links;

/// <summary>Finds an interface of this process's network namespace by name.</summary>
internal interface ILinkLookup
{
    LinkStatus Find(string name);
}

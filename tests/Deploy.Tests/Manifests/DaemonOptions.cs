using System.Reflection;
using DaemonHost.Configuration;
using DaemonHost.Logging;
using Microsoft.Extensions.Configuration;

namespace Deploy.Tests.Manifests;

/// <summary>
/// The daemons' own options types (internal to infraagent and inframanager, found by name) and the
/// configuration keys they bind, walked as the configuration binder walks them: public settable
/// properties, [ConfigurationKeyName] first, nested objects as sections.
/// </summary>
internal static class DaemonOptions
{
    public static Assembly Agent { get; } = Assembly.Load("infraagent");

    public static Assembly Manager { get; } = Assembly.Load("inframanager");

    public static Type AgentOptions => Find(Agent, "InfraAgent.AgentOptions");

    public static Type AgentOptionsValidator => Find(Agent, "InfraAgent.AgentOptionsValidator");

    public static Type ManagerApiOptions => Find(Manager, "InfraManager.Api.ManagerApiOptions");

    public static Type P4RuntimeOptions => Find(Manager, "InfraManager.P4.P4RuntimeOptions");

    public static Type StateOptions => Find(Manager, "InfraManager.State.StateOptions");

    /// <summary>Every key infraagent binds from its configuration (AgentOptions and the logging keys, both at the root).</summary>
    public static ISet<string> AgentKeys() => Union(KeysOf(AgentOptions), KeysOf(typeof(LoggingOptions)));

    /// <summary>
    /// Every key inframanager reads: ManagerApiOptions in section InfraManager, P4RuntimeOptions, StateOptions and the
    /// logging keys at the root, and InterfaceType (checked by ManagerConfigKeys).
    /// </summary>
    public static ISet<string> ManagerKeys() => Union(
        KeysOf(ManagerApiOptions, "InfraManager"),
        KeysOf(P4RuntimeOptions),
        KeysOf(StateOptions),
        KeysOf(typeof(LoggingOptions)),
        ["InterfaceType"]);

    /// <summary>The leaf keys a configuration file sets.</summary>
    public static IEnumerable<string> FileKeys(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(p => p.Value is not null).Select(p => p.Key);

    /// <summary>A file read as the daemons read it (DaemonHost's YAML provider), nothing else.</summary>
    public static IConfigurationRoot Read(string path) => new ConfigurationBuilder().Add(new YamlConfigurationSource(path)).Build();

    /// <summary>A new <paramref name="type"/> bound from <paramref name="configuration"/>, as the daemon binds it.</summary>
    public static object Bind(Type type, IConfiguration configuration)
    {
        var options = Activator.CreateInstance(type) ?? throw new InvalidOperationException(type.FullName);
        configuration.Bind(options);
        return options;
    }

    public static object? Property(object options, string name) =>
        (options.GetType().GetProperty(name) ?? throw new InvalidOperationException($"{options.GetType().Name}.{name}")).GetValue(options);

    /// <summary>Calls the internal static <c>Load(IConfiguration)</c> of <paramref name="type"/>; its exceptions come out unwrapped.</summary>
    public static object Load(Type type, IConfiguration configuration)
    {
        var load = type.GetMethod("Load", BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{type.Name}.Load");
        try
        {
            return load.Invoke(null, [configuration]) ?? throw new InvalidOperationException($"{type.Name}.Load returned null");
        }
        catch (TargetInvocationException e) when (e.InnerException is DaemonConfigurationException inner)
        {
            throw inner;
        }
    }

    private static Type Find(Assembly assembly, string name) =>
        assembly.GetType(name, throwOnError: false) ?? throw new InvalidOperationException($"{name} is not in {assembly.GetName().Name}: update the Deploy tests");

    private static HashSet<string> KeysOf(Type type, string? prefix = null)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetSetMethod() is not null))
        {
            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var key = prefix is null ? name : ConfigurationPath.Combine(prefix, name);
            if (property.PropertyType.IsClass && property.PropertyType != typeof(string))
            {
                keys.UnionWith(KeysOf(property.PropertyType, key));
            }
            else
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static HashSet<string> Union(params IEnumerable<string>[] sets)
    {
        var all = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in sets)
        {
            all.UnionWith(set);
        }

        return all;
    }
}

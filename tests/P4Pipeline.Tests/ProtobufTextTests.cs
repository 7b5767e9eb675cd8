using Google.Protobuf;
using Proto.P4.Config.V1;
using Proto.P4.V1;
using Xunit;

namespace P4Pipeline.Tests;

public sealed class ProtobufTextTests
{
    private const string Snippet = """
        # written by p4c
        pkg_info {
          arch: "pna"
        }
        tables {
          preamble {
            id: 37375156
            name: "k8s_dp_control.ipv4_to_port_table"
            alias: "ipv4_to_port_table"
          }
          match_fields {
            id: 1
            name: "hdr.ipv4.dst_addr"
            bitwidth: 32
            match_type: EXACT
          }
          action_refs { id: 21001439 }
          action_refs < id: 21257015 annotations: "@defaultonly" scope: DEFAULT_ONLY >
          const_default_action_id: 21001439
          size: 1024
        }
        actions {
          preamble { id: 21001439 name: "k8s_dp_control.set_dest_mac_vport" alias: "set_dest_mac_vport" }
          params { id: 1 name: "p" bitwidth: 32 }
          params { id: 2, name: "new_dmac", bitwidth: 48 };
        }
        actions { preamble { id: 21257015 name: "NoAction" alias: "NoAction" annotations: ["@noWarn(\"unused\")"] } }
        """;

    [Fact]
    public void Parse_P4InfoText_FillsNestedRepeatedAndEnums()
    {
        var info = ProtobufText.Parse<P4Info>(Snippet);

        Assert.Equal("pna", info.PkgInfo.Arch);
        var table = Assert.Single(info.Tables);
        Assert.Equal(37375156u, table.Preamble.Id);
        Assert.Equal(MatchField.Types.MatchType.Exact, table.MatchFields[0].MatchType);
        Assert.Equal(ActionRef.Types.Scope.DefaultOnly, table.ActionRefs[1].Scope);
        Assert.Equal(1024, table.Size);
        Assert.Equal(48, info.Actions[0].Params[1].Bitwidth);
        Assert.Equal("@noWarn(\"unused\")", info.Actions[1].Preamble.Annotations[0]);
    }

    [Fact]
    public void Parse_BytesEscapesAndAdjacentStrings()
    {
        var match = ProtobufText.Parse<FieldMatch>("field_id: 1 exact { value: \"\\n\\001\\xff\" 'A' }");

        Assert.Equal(ByteString.CopyFrom(10, 1, 255, 65), match.Exact.Value);
    }

    [Fact]
    public void Parse_LargeAndHexIntegers()
    {
        var id = ProtobufText.Parse<Proto.P4.V1.Uint128>("high: 0xffffffffffffffff low: 18446744073709551615");

        Assert.Equal(ulong.MaxValue, id.High);
        Assert.Equal(ulong.MaxValue, id.Low);
    }

    [Theory]
    [InlineData("tables { preamble { id: 1 }", "line 1, column 28: missing '}'")]
    [InlineData("tables {\n  bogus: 3\n}", "line 2, column 8: p4.config.v1.Table has no field 'bogus'")]
    [InlineData("tables {\n  match_fields { match_type: FUZZY }\n}", "line 2, column 35: 'FUZZY' is not a value of p4.config.v1.MatchField.MatchType")]
    [InlineData("tables { size: many }", "is not a value for size")]
    [InlineData("tables { size 12 }", "expected ':' after 'size'")]
    public void Parse_Malformed_SaysWhere(string text, string expected)
    {
        var error = Assert.Throws<ProtobufTextException>(() => ProtobufText.Parse<P4Info>(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_K8sDpP4Info_MatchesTheIdsOfTheOriginal()
    {
        var info = ProtobufText.Parse<P4Info>(File.ReadAllText(Path.Combine(TestSupport.RepoPaths.Root, "k8s_dp", "p4Info.txt")));
        var index = P4InfoIndex.Build(info);

        // Ids from reference-behaviour.md section 2: keeping the names keeps them.
        Assert.Equal(38984944u, index.Table("ipv4_to_port_table").Id);
        Assert.Equal(34954560u, index.Table("arpt_to_port_table").Id);
        Assert.Equal(44130374u, index.Table("tx_balance_tcp").Id);
        Assert.Equal(287578478u, index.ActionProfile("as_sl3_tcp").Id);
        Assert.Equal(285326473u, index.ActionProfile("as_sl3_udp").Id);
        Assert.Equal(21001439u, index.Action("set_dest_mac_vport").Id);
        Assert.Equal(27456008u, index.Action("set_default_lb_dest").Id);
    }
}

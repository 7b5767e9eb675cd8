using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace P4Pipeline;

/// <summary>
/// Protobuf text format (what p4c writes for --p4runtime-files p4Info.txt) into a message, driven
/// by the message's descriptor. Google.Protobuf for C# only reads binary and JSON.
/// </summary>
public static class ProtobufText
{
    public static T Parse<T>(string text)
        where T : IMessage<T>, new()
    {
        var message = new T();
        new Reader(text).ReadFields(message, closing: null);
        return message;
    }

    private sealed class Reader
    {
        private readonly string _text;
        private int _position;
        private int _line = 1;
        private int _lineStart;

        public Reader(string text)
        {
            _text = text;
        }

        public void ReadFields(IMessage message, char? closing)
        {
            while (true)
            {
                SkipSpace();
                if (_position >= _text.Length)
                {
                    if (closing is not null)
                    {
                        throw Error($"missing '{closing}'");
                    }

                    return;
                }

                if (closing is not null && _text[_position] == closing)
                {
                    _position++;
                    return;
                }

                ReadField(message);
                SkipSpace();
                if (_position < _text.Length && _text[_position] is ';' or ',')
                {
                    _position++;
                }
            }
        }

        private void ReadField(IMessage message)
        {
            var name = ReadIdentifier();
            var field = message.Descriptor.FindFieldByName(name) ?? throw Error($"{message.Descriptor.FullName} has no field '{name}'");
            SkipSpace();
            var colon = Peek() == ':';
            if (colon)
            {
                _position++;
                SkipSpace();
            }

            if (Peek() == '[' && field.IsRepeated)
            {
                _position++;
                SkipSpace();
                if (Peek() == ']')
                {
                    _position++;
                    return;
                }

                while (true)
                {
                    AddValue(message, field);
                    SkipSpace();
                    var next = Peek();
                    _position++;
                    if (next == ']')
                    {
                        return;
                    }

                    if (next != ',')
                    {
                        throw Error("expected ',' or ']'");
                    }

                    SkipSpace();
                }
            }

            if (field.FieldType != FieldType.Message && !colon)
            {
                throw Error($"expected ':' after '{name}'");
            }

            AddValue(message, field);
        }

        private void AddValue(IMessage message, FieldDescriptor field)
        {
            if (field.IsMap)
            {
                var (mapKey, mapValue) = ReadMapEntry(field.MessageType);
                ((IDictionary)field.Accessor.GetValue(message))[mapKey] = mapValue;
                return;
            }

            var value = field.FieldType == FieldType.Message ? ReadNestedMessage(field) : ReadScalar(field);
            if (field.IsRepeated)
            {
                ((IList)field.Accessor.GetValue(message)).Add(value);
            }
            else
            {
                field.Accessor.SetValue(message, value);
            }
        }

        // Map entries have no generated type: read "key" and "value" by hand.
        private (object Key, object? Value) ReadMapEntry(MessageDescriptor entry)
        {
            var keyField = entry.FindFieldByNumber(1);
            var valueField = entry.FindFieldByNumber(2);
            var open = Peek();
            if (open is not ('{' or '<'))
            {
                throw Error($"expected '{{' to start a map entry");
            }

            _position++;
            var closing = open == '{' ? '}' : '>';
            object? key = null;
            object? value = valueField.FieldType == FieldType.Message ? valueField.MessageType.Parser.ParseFrom(ByteString.Empty) : null;
            while (true)
            {
                SkipSpace();
                if (Peek() == closing)
                {
                    _position++;
                    break;
                }

                var name = ReadIdentifier();
                SkipSpace();
                if (Peek() == ':')
                {
                    _position++;
                    SkipSpace();
                }

                switch (name)
                {
                    case "key":
                        key = ReadScalar(keyField);
                        break;
                    case "value" when valueField.FieldType == FieldType.Message:
                        ReadMessage((IMessage)value!); // created above for message values
                        break;
                    case "value":
                        value = ReadScalar(valueField);
                        break;
                    default:
                        throw Error($"a map entry has key and value, not '{name}'");
                }

                SkipSpace();
                if (Peek() is ';' or ',')
                {
                    _position++;
                }
            }

            return (key ?? throw Error("map entry without a key"), value ?? DefaultScalar(valueField));
        }

        private static object DefaultScalar(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.String => string.Empty,
            FieldType.Bytes => ByteString.Empty,
            FieldType.Bool => false,
            _ => 0,
        };

        private IMessage ReadNestedMessage(FieldDescriptor field)
        {
            var nested = field.MessageType.Parser.ParseFrom(ByteString.Empty);
            ReadMessage(nested);
            return nested;
        }

        private void ReadMessage(IMessage message)
        {
            var open = Peek();
            if (open is not ('{' or '<'))
            {
                throw Error($"expected '{{' to start a {message.Descriptor.Name}");
            }

            _position++;
            ReadFields(message, open == '{' ? '}' : '>');
        }

        private object ReadScalar(FieldDescriptor field)
        {
            if (Peek() is '"' or '\'')
            {
                var bytes = ReadStrings();
                return field.FieldType switch
                {
                    FieldType.String => Encoding.UTF8.GetString(bytes),
                    FieldType.Bytes => ByteString.CopyFrom(bytes),
                    _ => throw Error($"a string is not a value for {field.Name}"),
                };
            }

            var token = ReadToken();
            try
            {
                return field.FieldType switch
                {
                    FieldType.Bool => token switch
                    {
                        "true" or "True" or "t" or "1" => true,
                        "false" or "False" or "f" or "0" => false,
                        _ => throw Error($"'{token}' is not a bool"),
                    },
                    FieldType.Enum => EnumValue(field, token),
                    FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => checked((int)ParseInteger(token)),
                    FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => checked((long)ParseInteger(token)),
                    FieldType.UInt32 or FieldType.Fixed32 => checked((uint)ParseInteger(token)),
                    FieldType.UInt64 or FieldType.Fixed64 => checked((ulong)ParseInteger(token)),
                    FieldType.Float => float.Parse(token.TrimEnd('f', 'F'), CultureInfo.InvariantCulture),
                    FieldType.Double => double.Parse(token.TrimEnd('f', 'F'), CultureInfo.InvariantCulture),
                    _ => throw Error($"cannot read a value for {field.Name}"),
                };
            }
            catch (Exception e) when (e is OverflowException or FormatException and not ProtobufTextException)
            {
                throw Error($"'{token}' is not a value for {field.Name}: {e.Message}");
            }
        }

        private object EnumValue(FieldDescriptor field, string token)
        {
            var value = field.EnumType.FindValueByName(token)
                ?? (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? field.EnumType.FindValueByNumber(number) : null)
                ?? throw Error($"'{token}' is not a value of {field.EnumType.FullName}");
            return Enum.ToObject(field.EnumType.ClrType, value.Number);
        }

        private static Int128 ParseInteger(string token)
        {
            var negative = token.StartsWith('-');
            var digits = negative ? token[1..] : token;
            Int128 value = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? Int128.Parse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : Int128.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            return negative ? -value : value;
        }

        private byte[] ReadStrings()
        {
            var bytes = new List<byte>();
            while (Peek() is '"' or '\'')
            {
                var quote = _text[_position++];
                while (true)
                {
                    if (_position >= _text.Length || _text[_position] == '\n')
                    {
                        throw Error("unterminated string");
                    }

                    var c = _text[_position++];
                    if (c == quote)
                    {
                        break;
                    }

                    if (c != '\\')
                    {
                        bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                        continue;
                    }

                    ReadEscape(bytes);
                }

                SkipSpace();
            }

            return [.. bytes];
        }

        private void ReadEscape(List<byte> bytes)
        {
            var c = _position < _text.Length ? _text[_position++] : throw Error("unterminated escape");
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case '\\' or '\'' or '"' or '?': bytes.Add((byte)c); break;
                case 'x' or 'X':
                    bytes.Add((byte)ReadDigits(16, 2));
                    break;
                case >= '0' and <= '7':
                    _position--;
                    bytes.Add((byte)ReadDigits(8, 3));
                    break;
                default:
                    throw Error($"unknown escape '\\{c}'");
            }
        }

        private int ReadDigits(int radix, int max)
        {
            var value = 0;
            var count = 0;
            while (count < max && _position < _text.Length && HexValue(_text[_position]) is var digit && digit >= 0 && digit < radix)
            {
                value = (value * radix) + digit;
                _position++;
                count++;
            }

            return count == 0 ? throw Error("bad escape digits") : value;
        }

        private static int HexValue(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };

        private string ReadIdentifier()
        {
            var start = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
            {
                _position++;
            }

            return _position == start ? throw Error($"expected a field name, found '{Peek()}'") : _text[start.._position];
        }

        private string ReadToken()
        {
            var start = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '_' or '-' or '+' or '.'))
            {
                _position++;
            }

            return _position == start ? throw Error($"expected a value, found '{Peek()}'") : _text[start.._position];
        }

        private char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private void SkipSpace()
        {
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c == '#')
                {
                    while (_position < _text.Length && _text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (c == '\n')
                    {
                        _line++;
                        _lineStart = _position + 1;
                    }

                    _position++;
                }
                else
                {
                    return;
                }
            }
        }

        private ProtobufTextException Error(string message) => new(_line, _position - _lineStart + 1, message);
    }
}

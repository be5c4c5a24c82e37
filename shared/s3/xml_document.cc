// XmlDocument over libxml2: xmlReadMemory with a private parser context per parse (thread-safe
// once xmlInitParser has run), errors collected instead of printed.
#include "shared/s3/xml_document.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>
#include <mutex>

namespace vdibk::s3 {
namespace {

std::once_flag g_xml_init;

bool NameIs(xmlNode* n, std::string_view name) {
  return n->type == XML_ELEMENT_NODE &&
         (name.empty() || std::string_view(reinterpret_cast<const char*>(n->name)) == name);
}

}  // namespace

std::string_view XmlElement::name() const { return reinterpret_cast<const char*>(node_->name); }

std::string XmlElement::Text() const {
  xmlChar* content = xmlNodeGetContent(node_);
  if (!content) return "";
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

std::vector<XmlElement> XmlElement::Children(std::string_view name) const {
  std::vector<XmlElement> out;
  for (xmlNode* c = node_->children; c; c = c->next)
    if (NameIs(c, name)) out.emplace_back(c);
  return out;
}

std::optional<XmlElement> XmlElement::Child(std::string_view name) const {
  for (xmlNode* c = node_->children; c; c = c->next)
    if (NameIs(c, name)) return XmlElement(c);
  return std::nullopt;
}

std::string XmlElement::ChildText(std::string_view name) const {
  std::optional<XmlElement> c = Child(name);
  return c ? c->Text() : std::string();
}

Result<XmlDocument> XmlDocument::Parse(std::string_view text) {
  std::call_once(g_xml_init, [] { xmlInitParser(); });
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt) return Status::Failed("XML: out of memory");
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), nullptr,
                                    nullptr, options);
  std::string why;
  if (const xmlError* e = xmlCtxtGetLastError(ctxt); e && e->message) {
    why = e->message;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    why += " (line " + std::to_string(e->line) + ")";
  }
  xmlFreeParserCtxt(ctxt);
  if (!doc || !xmlDocGetRootElement(doc)) {
    if (doc) xmlFreeDoc(doc);
    return Status::Integrity("malformed XML: " +
                             (why.empty() ? std::string("no root element") : why));
  }
  return XmlDocument(doc);
}

XmlDocument::XmlDocument(XmlDocument&& o) noexcept : doc_(o.doc_) { o.doc_ = nullptr; }

XmlDocument& XmlDocument::operator=(XmlDocument&& o) noexcept {
  if (this != &o) {
    if (doc_) xmlFreeDoc(doc_);
    doc_ = o.doc_;
    o.doc_ = nullptr;
  }
  return *this;
}

XmlDocument::~XmlDocument() {
  if (doc_) xmlFreeDoc(doc_);
}

XmlElement XmlDocument::root() const { return XmlElement(xmlDocGetRootElement(doc_)); }

Result<std::string> XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (c < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", c);
          return Status::Usage(std::string("XML cannot carry the control character ") + hex);
        }
        out += ch;
    }
  }
  return out;
}

}  // namespace vdibk::s3

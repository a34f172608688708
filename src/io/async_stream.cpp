// async_input_stream::read / read_to_fill.
#include <awsio/async_stream.hpp>

namespace awsio {
namespace {

struct fill_state {
    std::shared_ptr<async_input_stream> stream;
    byte_buf *dest;
    future<bool> result;
};

// Ends the fill. The stream reference goes first: once the result is set the caller may drop
// its own references, and the last one must not be released from inside the stream's
// completion path (the thread finishing the read may belong to the stream).
void finish(fill_state &st, std::error_code ec, bool eof) {
    st.stream.reset();
    if (ec) {
        st.result.set_error(ec);
    } else {
        st.result.set_result(eof);
    }
}

// Handles one finished read; returns true when the fill should go on.
bool fill_read_done(fill_state &st, future<bool> &read) {
    if (std::error_code ec = read.get_error()) {
        finish(st, ec, false);
        return false;
    }
    if (read.get_result()) {
        finish(st, {}, true);
        return false;
    }
    if (st.dest->remaining() == 0) {
        finish(st, {}, false);
        return false;
    }
    return true;
}

void fill_step(const std::shared_ptr<fill_state> &st) {
    for (;;) {
        future<bool> read = st->stream->read(*st->dest);
        const bool pending = read.register_callback_if_not_done([st, read]() mutable {
            if (fill_read_done(*st, read)) {
                fill_step(st);
            }
        });
        if (pending) {
            return; // the callback continues the loop
        }
        // Completed synchronously: loop instead of recursing.
        if (!fill_read_done(*st, read)) {
            return;
        }
    }
}

} // namespace

async_input_stream::~async_input_stream() = default;

future<bool> async_input_stream::read(byte_buf &dest) {
    if (dest.remaining() == 0) {
        future<bool> f;
        f.set_error(common_errc::short_buffer);
        return f;
    }
    return do_read(dest);
}

future<bool> async_input_stream::read_to_fill(byte_buf &dest) {
    auto st = std::make_shared<fill_state>();
    st->stream = shared_from_this();
    st->dest = &dest;
    future<bool> result = st->result;
    if (dest.remaining() == 0) {
        result.set_error(common_errc::short_buffer);
        return result;
    }
    fill_step(st);
    return result;
}

} // namespace awsio

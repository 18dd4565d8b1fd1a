// Users (#/users). The shell finds a page by its route (views/<route>.js); this one is written with the
// other administration pages in admin.js.
import { adminViews } from "./admin.js";

export const { mount } = adminViews.users;
